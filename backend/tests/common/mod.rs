//! What every storage test file shares: `on_both!`, which runs an `async fn(&TestDb)` as two tests, one on a
//! fresh SQLite file and one on a fresh PostgreSQL database, each removed afterwards.

pub use backend::testing::{Backend, TestDb};

/// Runs each named `async fn(&TestDb)` as `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    $crate::common::run($crate::common::Backend::Sqlite, |db| Box::pin(super::$name(db))).await;
                }
                #[tokio::test]
                async fn postgres() {
                    $crate::common::run($crate::common::Backend::Postgres, |db| Box::pin(super::$name(db))).await;
                }
            }
        )*
    };
}

/// One storage case on a fresh database of `engine`, removed afterwards.
pub async fn run<F>(engine: Backend, case: F)
where
    F: for<'a> FnOnce(&'a TestDb) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>,
{
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let db = TestDb::new(engine).await;
    case(&db).await;
    db.cleanup().await;
}

//! What every storage test module shares: `case`, through which `backend::on_both!` runs an `async fn(&TestDb)`
//! on a fresh SQLite file and on a fresh PostgreSQL database, each removed afterwards.

pub use backend::testing::{Backend, TestDb};

/// One storage case on a fresh database of `engine`, removed afterwards.
pub async fn case<F>(engine: Backend, case: F)
where
    F: for<'a> FnOnce(&'a TestDb) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>,
{
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let db = TestDb::new(engine).await;
    case(&db).await;
    db.cleanup().await;
}

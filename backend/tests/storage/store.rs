//! The database itself: migrations (and the parity of the two sets), backup and restore, a full disk.

use crate::common::{Backend, TestDb};
use crate::fixtures::{biz, code, event};
use backend::credit::{self as credit};
use backend::seed;
use backend::site::figures;
use backend::staff::audit::{self, Actor};
use domain::ErrCode;

on_both!(backup_then_restore_gives_the_same_data, migrations_are_idempotent,);

async fn migrations_are_idempotent(db: &TestDb) {
    db.store().migrate().await.expect("second migrate is a no-op");
    db.store().ping().await.expect("ping");
}

/// Backup and restore: `Store::backup` then `Store::restore` into an empty database gives identical data (the
/// registry, grades and events, replies, the audit log, staff), and the restore refuses a non-empty target.
async fn backup_then_restore_gives_the_same_data(db: &TestDb) {
    let s = &db.state;
    seed::demo_with(s, 120, seed::DEMO_PASSWORD).await.unwrap();
    let b = biz(40, "备份测试饭店", "四川省绵阳市涪城区临园路40号", "涪城区", "餐饮");
    credit::save_business(db.store(), &Actor::cli(), &b).await.unwrap();
    let now = backend::clock::now();
    credit::add_event(db.store(), &Actor::cli(), &event(&b.credit_code.to_string(), "penalty", "major", now))
        .await
        .unwrap();
    let file = db.dir.join("backup.sql");
    db.store().backup(&file, &db.url).await.unwrap();
    let (url, target) = backend::testing::empty_database(if db.url.starts_with("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    })
    .await;
    let restored = backend::store::Store::restore(&file, &url).await.unwrap();
    assert_eq!(credit::export(&restored).await.unwrap(), credit::export(db.store()).await.unwrap());
    assert_eq!(
        credit::detail(&backend::AppState::new(restored.clone(), db.state.config.as_ref().clone()), &b.credit_code)
            .await
            .unwrap(),
        credit::detail(&db.state, &b.credit_code).await.unwrap(),
        "events, grade history and replies"
    );
    assert_eq!(audit::recent(&restored, 200, None).await.unwrap(), audit::recent(db.store(), 200, None).await.unwrap());
    assert_eq!(figures::get(&restored).await.unwrap(), figures::get(db.store()).await.unwrap());
    // The append-only triggers came back too.
    assert!(sqlx::query("DELETE FROM audit_log").execute(restored.pool()).await.is_err());
    restored.close().await;
    // Never over existing data.
    let err = backend::store::Store::restore(&file, &url).await.unwrap_err().to_string();
    assert!(err.contains("already exists") || err.contains("empty database"), "{err}");
    target.cleanup().await;
}

/// A full disk during writes: the write is refused as 503 (Unavailable, retry later), nothing half-written stays,
/// and the database is intact and usable afterwards. SQLite's `max_page_count`, set on every pooled connection,
/// stands in for the full disk.
#[tokio::test]
async fn a_full_disk_refuses_writes_cleanly_and_keeps_the_database_intact() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store();
    credit::save_business(
        store,
        &Actor::cli(),
        &biz(50, "满盘测试一", "四川省绵阳市涪城区临园路50号", "涪城区", "餐饮"),
    )
    .await
    .unwrap();
    // Hold every connection of the pool at once, so each gets the limit.
    let mut conns = Vec::new();
    for _ in 0..8 {
        let mut c = store.pool().acquire().await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&mut *c).await.unwrap();
        sqlx::query(&format!("PRAGMA max_page_count = {}", pages + 2)).execute(&mut *c).await.unwrap();
        conns.push(c);
    }
    drop(conns);
    let before = credit::count(store).await.unwrap();
    let mut refused = None;
    for n in 0..500u32 {
        let long = "很长的地址".repeat(30);
        let b = biz(100 + n, &format!("满盘测试{n}"), &long, "涪城区", "餐饮");
        if let Err(e) = credit::save_business(store, &Actor::cli(), &b).await {
            refused = Some((n, e));
            break;
        }
    }
    let (n, e) = refused.expect("the disk fills up");
    assert_eq!((e.code, e.status(), e.retry_after), (ErrCode::Unavailable, 503, Some(60)));
    // Every acknowledged write is there, the refused one left nothing (no business, no audit entry for it).
    assert_eq!(credit::count(store).await.unwrap(), before + i64::from(n));
    let code = domain::credit::CreditCode::parse(&code(100 + n)).unwrap();
    assert!(credit::detail(&db.state, &code).await.unwrap().is_none());
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(store.pool()).await.unwrap();
    assert_eq!(verdict, "ok");
    db.cleanup().await;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema parity: the two migration sets must define the same schema.

/// One engine's schema, normalised so the two engines compare: per table, its columns (normalised type, whether
/// it may be NULL, its place in the primary key) and its indexes (columns in order, unique, partial), names left
/// out (engines name their automatic indexes differently).
type Schema = std::collections::BTreeMap<String, (Vec<String>, std::collections::BTreeSet<String>)>;

/// Objects one engine has and the other cannot: the full-text index is FTS5 tables on SQLite and a stored
/// `tsvector` column with a GIN index on PostgreSQL.
fn engine_specific(table: &str, item: &str) -> bool {
    table.starts_with("business_fts") || (table == "businesses" && item.contains("search_tsv"))
}

fn normal_type(t: &str) -> &'static str {
    let t = t.to_ascii_lowercase();
    if t.contains("int") || t.contains("serial") {
        "integer"
    } else if t.contains("char") || t.contains("text") {
        "text"
    } else if t.contains("blob") || t.contains("bytea") {
        "blob"
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        "real"
    } else {
        "other"
    }
}

async fn schema_of(db: &TestDb) -> Schema {
    use backend::store::col;
    let pool = db.store().pool();
    let mut schema = Schema::new();
    let sqlite = db.store().dialect() == backend::dialect::DbKind::Sqlite;
    let tables: Vec<String> = if sqlite {
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'")
    } else {
        sqlx::query("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'")
    }
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| col::<String>(r, "name").unwrap())
    .filter(|t| !engine_specific(t, ""))
    .collect();
    for t in tables {
        let (columns, indexes) = if sqlite {
            let cols = sqlx::query(&format!(
                "SELECT name, type, \"notnull\" AS nn, pk FROM pragma_table_info('{t}') ORDER BY cid"
            ))
            .fetch_all(pool)
            .await
            .unwrap();
            let mut columns: Vec<String> = cols
                .iter()
                .map(|r| {
                    // An INTEGER PRIMARY KEY is never NULL (it is the rowid), whatever the declaration says.
                    let pk = col::<i64>(r, "pk").unwrap();
                    let nn = col::<i64>(r, "nn").unwrap() != 0 || pk > 0;
                    format!(
                        "{} {} {} pk{}",
                        col::<String>(r, "name").unwrap(),
                        normal_type(&col::<String>(r, "type").unwrap()),
                        if nn { "not null" } else { "null" },
                        pk
                    )
                })
                .collect();
            columns.sort();
            let mut indexes = std::collections::BTreeSet::new();
            let list =
                sqlx::query(&format!("SELECT name, \"unique\" AS u, origin, partial FROM pragma_index_list('{t}')"))
                    .fetch_all(pool)
                    .await
                    .unwrap();
            for i in list {
                if col::<String>(&i, "origin").unwrap() == "pk" {
                    continue;
                }
                let name: String = col(&i, "name").unwrap();
                let cols: Vec<String> = sqlx::query(&format!(
                    "SELECT COALESCE(name, '(expr)') AS name FROM pragma_index_info('{name}') ORDER BY seqno"
                ))
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(|r| col::<String>(r, "name").unwrap())
                .collect();
                let unique = col::<i64>(&i, "u").unwrap() != 0;
                let partial = col::<i64>(&i, "partial").unwrap() != 0;
                indexes.insert(format!(
                    "({}){}{}",
                    cols.join(","),
                    if unique { " unique" } else { "" },
                    if partial { " partial" } else { "" }
                ));
            }
            (columns, indexes)
        } else {
            let pk: Vec<String> = sqlx::query(
                "SELECT a.attname::text AS name FROM pg_index ix JOIN pg_class c ON c.oid = ix.indrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) ON true \
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
                 WHERE n.nspname = 'public' AND c.relname = $1 AND ix.indisprimary ORDER BY k.ord",
            )
            .bind(&t)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| col::<String>(r, "name").unwrap())
            .collect();
            let cols = sqlx::query(
                "SELECT column_name::text AS name, data_type::text AS type, is_nullable::text AS nullable \
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
            )
            .bind(&t)
            .fetch_all(pool)
            .await
            .unwrap();
            let mut columns: Vec<String> = cols
                .iter()
                .map(|r| {
                    let name: String = col(r, "name").unwrap();
                    let place = pk.iter().position(|p| *p == name).map_or(0, |i| i + 1);
                    let nn = col::<String>(r, "nullable").unwrap() == "NO";
                    format!(
                        "{name} {} {} pk{place}",
                        normal_type(&col::<String>(r, "type").unwrap()),
                        if nn { "not null" } else { "null" }
                    )
                })
                .filter(|c| !engine_specific(&t, c))
                .collect();
            columns.sort();
            let list = sqlx::query(
                "SELECT COALESCE((SELECT string_agg(COALESCE(a.attname::text, '(expr)'), ',' ORDER BY k.ord) \
                   FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) \
                   LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum AND k.attnum > 0), '') AS cols, \
                 CASE WHEN ix.indisunique THEN 1 ELSE 0 END AS u, CASE WHEN ix.indpred IS NULL THEN 0 ELSE 1 END AS partial, \
                 pg_get_indexdef(ix.indexrelid) AS def \
                 FROM pg_index ix JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = 'public' AND c.relname = $1 AND NOT ix.indisprimary",
            )
            .bind(&t)
            .fetch_all(pool)
            .await
            .unwrap();
            let indexes = list
                .iter()
                .filter(|i| !engine_specific(&t, &col::<String>(i, "def").unwrap()))
                .map(|i| {
                    let unique = col::<i64>(i, "u").unwrap() != 0;
                    let partial = col::<i64>(i, "partial").unwrap() != 0;
                    format!(
                        "({}){}{}",
                        col::<String>(i, "cols").unwrap(),
                        if unique { " unique" } else { "" },
                        if partial { " partial" } else { "" }
                    )
                })
                .collect();
            (columns, indexes)
        };
        schema.insert(t, (columns, indexes));
    }
    schema
}

/// Every difference between two schemas, one line each.
fn schema_diff(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for t in sqlite.keys().chain(postgres.keys()).collect::<std::collections::BTreeSet<_>>() {
        match (sqlite.get(t), postgres.get(t)) {
            (Some(_), None) => out.push(format!("table {t}: only on SQLite")),
            (None, Some(_)) => out.push(format!("table {t}: only on PostgreSQL")),
            (Some((sc, si)), Some((pc, pi))) => {
                for c in sc.iter().filter(|c| !pc.contains(c)) {
                    out.push(format!("{t}: column `{c}` only on SQLite"));
                }
                for c in pc.iter().filter(|c| !sc.contains(c)) {
                    out.push(format!("{t}: column `{c}` only on PostgreSQL"));
                }
                for i in si.difference(pi) {
                    out.push(format!("{t}: index {i} only on SQLite"));
                }
                for i in pi.difference(si) {
                    out.push(format!("{t}: index {i} only on PostgreSQL"));
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// Both migration sets, applied to fresh databases, define the same tables, columns (normalised types, NULL,
/// primary key), unique constraints and indexes; and the comparison sees a column added to one engine only.
#[tokio::test]
async fn the_two_migration_sets_define_the_same_schema() {
    let (lite, pg) = (TestDb::new(Backend::Sqlite).await, TestDb::new(Backend::Postgres).await);
    let (s, p) = (schema_of(&lite).await, schema_of(&pg).await);
    assert!(s.len() > 20, "tables read: {:?}", s.keys());
    let diff = schema_diff(&s, &p);
    assert!(diff.is_empty(), "the migration sets differ:\n{}", diff.join("\n"));
    // A column or an index on one engine only is seen.
    sqlx::query("ALTER TABLE cases ADD COLUMN only_here TEXT").execute(lite.store().pool()).await.unwrap();
    sqlx::query("CREATE UNIQUE INDEX only_here_idx ON news_articles (title, id)")
        .execute(pg.store().pool())
        .await
        .unwrap();
    let diff = schema_diff(&schema_of(&lite).await, &schema_of(&pg).await);
    assert_eq!(diff.len(), 2, "{diff:?}");
    assert!(diff[0].contains("cases: column `only_here text null pk0` only on SQLite"), "{diff:?}");
    assert!(diff[1].contains("news_articles: index (title,id) unique only on PostgreSQL"), "{diff:?}");
    lite.cleanup().await;
    pg.cleanup().await;
}

// The migrations are embedded by `sqlx::migrate!`, which cannot tell cargo to watch their folder on stable Rust:
// without this a new migration file would leave a stale build that does not apply it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

// `sqlx::migrate!` embeds migrations/ into the binary at compile time, and `include_str!`
// embeds openapi.yaml: rebuild when a migration is added (cargo does not see new files).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

//! include_dir! embeds `templates/` at compile time but does not tell cargo which files it read,
//! so without this a template edit would not trigger a rebuild.

fn main() {
    println!("cargo:rerun-if-changed=templates");
}

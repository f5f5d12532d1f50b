//! Cargo build script: rebuild when the embedded default theme changes, and write hayagriva's
//! CSL locales one file per locale, so a build decodes only the languages it cites in.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=build.rs");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    split_locales(Path::new(&out));
}

/// hayagriva decodes its sixty locales all at once (`archive::locales`), which took longer
/// than the rest of a small site's build; it has no way to decode one. Each locale is written
/// here as CBOR of its own (hayagriva's own form of them), listed by code in `locales.rs`.
fn split_locales(out: &Path) {
    let mut list = String::from("&[\n");
    for locale in hayagriva::archive::locales() {
        let Some(code) = locale.lang.as_ref().map(|code| code.0.clone()) else {
            continue;
        };
        let mut bytes = Vec::new();
        ciborium::into_writer(&locale, &mut bytes).expect("a decoded locale encodes again");
        let file = out.join(format!("locale-{code}.cbor"));
        std::fs::write(&file, bytes).expect("OUT_DIR is writable");
        let _ = writeln!(
            list,
            "    ({code:?}, include_bytes!({:?})),",
            file.display().to_string()
        );
    }
    list.push_str("]\n");
    std::fs::write(out.join("locales.rs"), list).expect("OUT_DIR is writable");
}

//! What one page's template is given, and the key of it: a page whose key is the same as in
//! the last build would render to the same bytes, so a rebuild links the last build's file
//! instead of rendering it again.
//!
//! The key hashes the template's name, the theme's templates, the site's shared view, folio
//! itself, and every value the page is given, in the order given, serialized with postcard
//! (the views are structs and ordered maps, so the bytes are the same in every build). Tera's
//! own values cannot be hashed instead: its maps are hash maps with random order.

use crate::cache::Key;
use serde::Serialize;
use std::io::Write;
use tera::Context;
use xxhash_rust::xxh3::Xxh3;

type Boxed<'a> = Box<dyn erased_serde::Serialize + Send + Sync + 'a>;

/// The values of a page's context, kept until it is known whether the page is rendered.
pub struct PageContext<'a> {
    values: Vec<(&'static str, Boxed<'a>)>,
}

impl<'a> PageContext<'a> {
    pub fn new() -> Self {
        PageContext { values: Vec::new() }
    }

    pub fn insert(&mut self, key: &'static str, value: impl Serialize + Send + Sync + 'a) {
        self.values.push((key, Box::new(value)));
    }

    /// The page's key: `shared` (what every page of the build shares), the template and
    /// every value, written out with postcard and hashed as one stream. postcard's many small
    /// writes are gathered in a buffer first: hashing each as it came cost more than writing it.
    pub fn key(&self, shared: Key, template: &str) -> Key {
        let mut bytes = std::io::BufWriter::with_capacity(KEY_BUFFER, Hashing(Xxh3::new()));
        let _ = bytes.write_all(&shared.bytes());
        write_part(&mut bytes, template.as_bytes());
        for (name, value) in &self.values {
            write_part(&mut bytes, name.as_bytes());
            // A value postcard cannot write (none of folio's views) still changes the key, by
            // the marker after it, and is never wrongly equal.
            if postcard::to_io(value, &mut bytes).is_err() {
                let _ = bytes.write_all(&[0xff; 9]);
            }
        }
        let _ = bytes.flush();
        Key::from_hash(bytes.get_ref().0.digest128())
    }

    /// The context Tera renders the page with.
    pub fn into_tera(self) -> Context {
        let mut context = Context::new();
        for (name, value) in self.values {
            context.insert(name, &value);
        }
        context
    }
}

impl Default for PageContext<'_> {
    fn default() -> Self {
        PageContext::new()
    }
}

/// The buffer between postcard and the hash.
const KEY_BUFFER: usize = 16 * 1024;

/// A sink that hashes what is written to it.
struct Hashing(Xxh3);

impl std::io::Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A length-prefixed part, so that parts cannot run into each other.
fn write_part(bytes: &mut impl std::io::Write, part: &[u8]) {
    let _ = bytes.write_all(&(part.len() as u64).to_le_bytes());
    let _ = bytes.write_all(part);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct View<'a> {
        title: &'a str,
        count: usize,
    }

    fn key_of(title: &str, count: usize) -> Key {
        let mut context = PageContext::new();
        context.insert("view", View { title, count });
        context.insert("url", "/a/");
        context.key(Key::of("shared"), "page.html")
    }

    #[test]
    fn the_key_changes_with_any_value_and_only_then() {
        assert_eq!(key_of("A", 1), key_of("A", 1));
        assert_ne!(key_of("A", 1), key_of("B", 1));
        assert_ne!(key_of("A", 1), key_of("A", 2));
        let context = PageContext::new();
        assert_ne!(
            context.key(Key::of("shared"), "a.html"),
            context.key(Key::of("shared"), "b.html")
        );
    }

    #[test]
    fn the_tera_context_holds_every_value() {
        let mut context = PageContext::new();
        context.insert(
            "view",
            View {
                title: "T",
                count: 3,
            },
        );
        let mut tera = tera::Tera::new();
        tera.add_raw_template("t", "{{ view.title }}{{ view.count }}")
            .unwrap();
        assert_eq!(tera.render("t", &context.into_tera()).unwrap(), "T3");
    }
}

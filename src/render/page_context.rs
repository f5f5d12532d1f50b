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
use tera::Context;
use xxhash_rust::xxh3::xxh3_128;

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
    /// every value, written out with postcard and hashed in one pass (hashing postcard's many
    /// small writes as they come cost more than writing them).
    pub fn key(&self, shared: Key, template: &str) -> Key {
        BYTES.with_borrow_mut(|bytes| {
            bytes.clear();
            bytes.extend_from_slice(&shared.bytes());
            write_part(bytes, template.as_bytes());
            for (name, value) in &self.values {
                write_part(bytes, name.as_bytes());
                // A value postcard cannot write (none of folio's views) still changes the key,
                // by its error, and is never wrongly equal.
                let start = bytes.len();
                if postcard::to_io(value, &mut *bytes).is_err() {
                    bytes.truncate(start);
                    bytes.push(0xff);
                }
            }
            Key::from_hash(xxh3_128(bytes))
        })
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

thread_local! {
    /// The bytes of the page being keyed, kept for the next page of the thread.
    static BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A length-prefixed part, so that parts cannot run into each other.
fn write_part(bytes: &mut Vec<u8>, part: &[u8]) {
    bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
    bytes.extend_from_slice(part);
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

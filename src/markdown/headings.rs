//! Heading ids, unique on the page, and the table of contents they feed.

use pulldown_cmark::HeadingLevel;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One entry of a table of contents.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// Ids given so far and the TOC entries they make.
pub(super) struct Headings {
    used: HashSet<String>,
    pub toc: Vec<TocEntry>,
}

/// Ids the themes use for the sections folio adds around the body.
const RESERVED: &[&str] = &[
    "main",
    "toc",
    "notes",
    "notes-heading",
    "sources",
    "sources-heading",
    "about-the-authors",
    "cite",
];

impl Default for Headings {
    fn default() -> Self {
        Headings {
            used: RESERVED.iter().map(|id| id.to_string()).collect(),
            toc: Vec::new(),
        }
    }
}

impl Headings {
    /// Gives a heading its id (the author's `{#id}` or one made from its text), unique on the
    /// page, and records levels 2 and 3 in the table of contents.
    pub fn add(&mut self, level: HeadingLevel, explicit: Option<&str>, title: &str) -> String {
        let base = match explicit {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => slug_or(title, "section"),
        };
        let id = self.unique(base);
        let level = level as u8;
        if matches!(level, 2 | 3) {
            self.toc.push(TocEntry {
                level,
                id: id.clone(),
                title: title.to_string(),
            });
        }
        id
    }

    fn unique(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

/// A URL-safe slug of `text`, or `fallback` when the text has no letters or digits.
pub(super) fn slug_or(text: &str, fallback: &str) -> String {
    let slug = slug::slugify(text);
    if slug.is_empty() {
        fallback.to_string()
    } else {
        slug
    }
}

//! The names folio's own front-matter fields and site sections take: a site's taxonomies and
//! pages cannot use them.

/// The fields of a brief's front matter.
pub const BRIEF_FIELDS: &[&str] = &[
    "title",
    "date",
    "authors",
    "subtitle",
    "summary",
    "topics",
    "updated",
    "draft",
    "slug",
    "type",
    "image",
    "pdf",
    "doi",
    "extra",
    "bibliography",
    "aliases",
    "corrections",
    "key_findings",
    "related",
];

/// The first path segments of the site's own sections and files.
pub const SECTION_SLUGS: &[&str] = &[
    "briefs", "authors", "topics", "sources", "search", "pagefind", "page", "404", "atom",
    "sitemap", "robots",
];

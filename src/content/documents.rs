//! The three kinds of content document — brief, author, page — read from their files: front
//! matter fields checked against DESIGN.md, and the body's Markdown with what rendering it
//! needs (the Markdown stage renders it).

use super::bibliography::{BibFile, BibProblem, Bibliographies};
use super::frontmatter::{Correction, Fields, Located, Place, split};
use super::walk::{Entry, Kind};
use super::{SourceFile, read_source};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, display_path, suggest};
use crate::reserved::BRIEF_FIELDS;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde_yaml::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const AUTHOR_FIELDS: &[&str] = &["name", "role", "affiliation", "photo", "email", "links"];
const PAGE_FIELDS: &[&str] = &["title", "summary", "slug", "weight", "draft", "extra"];

/// A brief as written: checked front matter, and its body (`BodySource` as read, the
/// Markdown stage's rendering once rendered).
#[derive(Debug)]
pub struct BriefDoc<B> {
    pub slug: String,
    pub shown: PathBuf,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: Option<String>,
    pub date: NaiveDate,
    /// The time of publication, when `date` gives one (with its offset).
    pub time: Option<DateTime<FixedOffset>>,
    pub updated: Option<NaiveDate>,
    pub authors: Vec<Located>,
    pub topics: Vec<Located>,
    /// The terms of each of the site's taxonomies (in `Config::taxonomies`' order), as written.
    pub terms: Vec<Vec<Located>>,
    pub draft: bool,
    pub kind: Option<String>,
    pub image: Option<String>,
    pub pdf: Option<String>,
    pub doi: Option<String>,
    pub extra: Option<Value>,
    /// Old addresses of the brief (`/briefs/old-slug/`), each answered with a redirect.
    pub aliases: Vec<Located>,
    /// Dated notices of corrections and updates, as written.
    pub corrections: Vec<Correction>,
    /// A few sentences (Markdown, inline) shown in a box after the summary.
    pub key_findings: Vec<Located>,
    /// The slugs of the related briefs to show, in place of those folio finds.
    pub related: Vec<Located>,
    pub body: B,
    /// The folder of a brief kept in its own folder, and the files beside its `index.md`.
    pub bundle: Option<(PathBuf, Vec<PathBuf>)>,
}

/// A person: front matter and biography.
#[derive(Debug)]
pub struct AuthorDoc<B> {
    pub slug: String,
    pub shown: PathBuf,
    pub name: String,
    pub role: Option<String>,
    pub affiliation: Option<String>,
    pub photo: Option<String>,
    pub email: Option<String>,
    pub links: Vec<(String, String)>,
    pub bio: B,
}

/// A standalone page such as About.
#[derive(Debug)]
pub struct PageDoc<B> {
    pub slug: String,
    pub shown: PathBuf,
    pub title: String,
    pub summary: Option<String>,
    pub weight: i64,
    pub draft: bool,
    pub extra: Option<Value>,
    pub body: B,
}

impl<B> BriefDoc<B> {
    /// Whether the brief is dated after `now`: scheduled, so left out of a build until then
    /// (a date alone is due from the start of that day, UTC).
    pub fn is_scheduled(&self, now: DateTime<Utc>) -> bool {
        self.due_at() > now
    }

    /// When the brief falls due: its time, or the start of its date (UTC).
    pub fn due_at(&self) -> DateTime<Utc> {
        match self.time {
            Some(time) => time.with_timezone(&Utc),
            None => self.date.and_time(chrono::NaiveTime::MIN).and_utc(),
        }
    }

    /// When the brief is due, as its `date` gives it (`2026-01-05`, or with its time).
    pub fn due(&self) -> String {
        match self.time {
            Some(time) => time.to_rfc3339(),
            None => self.date.format("%Y-%m-%d").to_string(),
        }
    }
}

/// One parsed content document.
pub enum Doc<B> {
    Brief(Box<BriefDoc<B>>),
    Author(Box<AuthorDoc<B>>),
    Page(Box<PageDoc<B>>),
}

/// A document's Markdown as read, with what rendering it needs: where it sits in its file,
/// the prefix of its ids, the folder its figures are read from, and its bibliography files.
#[derive(Debug, Default)]
pub struct BodySource {
    pub text: String,
    /// The line of the file on which the text starts.
    pub first_line: usize,
    pub id_prefix: String,
    /// The folder beside the file, where its figures are.
    pub figure_dir: Option<PathBuf>,
    /// The bibliography files it cites from (a brief's; none for others).
    pub bibliography: Vec<Arc<BibFile>>,
    /// Whether all of those could be read.
    pub bibliography_complete: bool,
}

impl<B> Doc<B> {
    /// The document with its body replaced by what `body` makes of it.
    pub fn map_body<C>(self, body: impl FnOnce(B, &Path) -> C) -> Doc<C> {
        match self {
            Doc::Brief(b) => Doc::Brief(Box::new(b.map_body(body))),
            Doc::Author(a) => Doc::Author(Box::new(a.map_body(body))),
            Doc::Page(p) => Doc::Page(Box::new(p.map_body(body))),
        }
    }
}

/// Moves every field but the body, which `$body` (given the old body and the file as shown)
/// replaces: the three kinds of document share the move.
macro_rules! map_body {
    ($doc:ident { $body:ident; $($field:ident),* }) => {
        impl<B> $doc<B> {
            pub fn map_body<C>(self, body: impl FnOnce(B, &Path) -> C) -> $doc<C> {
                let new = body(self.$body, &self.shown);
                $doc { $body: new, $($field: self.$field),* }
            }
        }
    };
}

map_body!(BriefDoc { body; slug, shown, title, subtitle, summary, date, time, updated, authors,
    topics, terms, draft, kind, image, pdf, doi, extra, aliases, corrections, key_findings, related, bundle });
map_body!(AuthorDoc { bio; slug, shown, name, role, affiliation, photo, email, links });
map_body!(PageDoc { body; slug, shown, title, summary, weight, draft, extra });

/// Reads one content file; `None` when its required fields could not be read. Every problem
/// found is returned.
pub(crate) fn parse(
    config: &Config,
    entry: Entry,
    known_authors: &[String],
    bibliographies: &Bibliographies,
) -> Parsed {
    let shown = display_path(&config.root, &entry.path);
    match read_source(entry.path.clone(), shown) {
        Ok(file) => parse_read(config, file, entry, known_authors, bibliographies),
        Err(diagnostic) => Parsed::unread(diagnostic),
    }
}

/// Checks and renders one content file already read.
pub(crate) fn parse_source(
    config: &Config,
    file: SourceFile,
    entry: Entry,
    known_authors: &[String],
) -> (Option<Doc<BodySource>>, Vec<Diagnostic>) {
    parse_read(
        config,
        file,
        entry,
        known_authors,
        &Bibliographies::default(),
    )
    .accepted()
}

/// Checks one content file already read, its bibliography files parsed through the build's
/// `bibliographies`.
fn parse_read(
    config: &Config,
    file: SourceFile,
    entry: Entry,
    known_authors: &[String],
    bibliographies: &Bibliographies,
) -> Parsed {
    let split = match split(&file) {
        Ok(split) => split,
        Err(diagnostic) => return Parsed::unread(diagnostic),
    };
    let mut fields = match Fields::parse(&file, &split) {
        Ok(fields) => fields,
        Err(diagnostic) => return Parsed::unread(diagnostic),
    };
    let is_brief = entry.kind == Kind::Brief;
    let doc = match entry.kind {
        Kind::Brief => brief(&file, &mut fields, entry, known_authors, config),
        Kind::Author => author(&file, &mut fields, &entry),
        Kind::Page => page(&file, &mut fields, &entry),
    };
    let named = if is_brief {
        fields.one_or_list("bibliography").unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut problems = std::mem::take(&mut fields.problems);
    let (files, unusable) = if is_brief {
        bibliography_files(config, &file, &named, bibliographies, &mut problems)
    } else {
        (Vec::new(), false)
    };
    if is_brief && split.body.trim().is_empty() {
        problems.push(
            Diagnostic::warning(&file.shown, "this brief has no text")
                .at(&file.text, 1, 1)
                .width(3)
                .help("write the brief below the front matter's closing `---`"),
        );
    }
    let body = BodySource {
        text: split.body.to_string(),
        first_line: split.body_line,
        id_prefix: doc.as_ref().map(Partial::id_prefix).unwrap_or_default(),
        // Figures are read beside the file, for their width and height.
        figure_dir: file.path.parent().map(Path::to_path_buf),
        bibliography: files,
        bibliography_complete: !unusable,
    };
    // A brief whose bibliography is broken is left out: its error is reported once, with the
    // first brief (or site.toml's files) that met it.
    let has_errors = unusable || problems.iter().any(Diagnostic::is_error);
    Parsed {
        doc: doc.map(|partial| partial.finish(body)),
        accepted: !has_errors,
        problems,
    }
}

/// A content file as read: the document, when its front matter could be read at all; whether
/// it is free of errors (a document with errors is left out of the site, but its slug and
/// links are still checked against the others'); every problem found.
pub struct Parsed {
    pub doc: Option<Doc<BodySource>>,
    pub accepted: bool,
    pub problems: Vec<Diagnostic>,
}

impl Parsed {
    fn unread(problem: Diagnostic) -> Parsed {
        Parsed {
            doc: None,
            accepted: false,
            problems: vec![problem],
        }
    }

    /// The document when it has no errors, with the problems.
    pub fn accepted(self) -> (Option<Doc<BodySource>>, Vec<Diagnostic>) {
        let doc = self.doc.filter(|_| self.accepted);
        (doc, self.problems)
    }
}

/// The bibliography files a brief cites from: those its front matter names (beside the brief),
/// then the site's. The flag says whether one of them cannot be used.
fn bibliography_files(
    config: &Config,
    file: &SourceFile,
    named: &[Located],
    bibliographies: &Bibliographies,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Arc<BibFile>>, bool) {
    let folder = file.path.parent().unwrap_or(&config.root);
    let mut paths = Vec::new();
    let mut unusable = false;
    for name in named {
        let path = folder.join(&name.value);
        if path.is_file() {
            paths.push(path);
        } else {
            unusable = true;
            let beside = display_path(&config.root, folder);
            problems.push(
                name.place
                    .error(
                        &file.shown,
                        format!("the bibliography `{}` does not exist", name.value),
                    )
                    .width(name.value.chars().count())
                    .help(format!(
                        "put the file in `{}/`, beside the brief, or correct its name",
                        beside.display()
                    )),
            );
        }
    }
    paths.extend(config.citation.bibliography.iter().cloned());
    let mut files = Vec::new();
    for path in paths {
        match bibliographies.load(&config.root, &path) {
            Ok(file) => files.push(file),
            Err(BibProblem::First(diagnostic)) => {
                problems.push(diagnostic);
                unusable = true;
            }
            Err(BibProblem::Reported) => unusable = true,
        }
    }
    (files, unusable)
}

/// A document whose front matter is read, waiting for its body.
enum Partial {
    Brief(Box<BriefDoc<BodySource>>),
    Author(Box<AuthorDoc<BodySource>>),
    Page(Box<PageDoc<BodySource>>),
}

impl Partial {
    fn id_prefix(&self) -> String {
        match self {
            Partial::Brief(b) => format!("{}-", b.slug),
            Partial::Author(a) => format!("bio-{}-", a.slug),
            Partial::Page(p) => format!("{}-", p.slug),
        }
    }

    fn finish(self, body: BodySource) -> Doc<BodySource> {
        match self {
            Partial::Brief(mut b) => {
                b.body = body;
                Doc::Brief(b)
            }
            Partial::Author(mut a) => {
                a.bio = body;
                Doc::Author(a)
            }
            Partial::Page(mut p) => {
                p.body = body;
                Doc::Page(p)
            }
        }
    }
}

fn brief(
    file: &SourceFile,
    fields: &mut Fields<'_>,
    entry: Entry,
    known_authors: &[String],
    config: &Config,
) -> Option<Partial> {
    // Every field is read before any is required, so one run reports all of their problems.
    let taxonomies = config.taxonomies.iter().map(|t| t.key.as_str());
    let known: Vec<&str> = BRIEF_FIELDS.iter().copied().chain(taxonomies).collect();
    fields.reject_unknown(&known, "a brief");
    let title = fields.required_text("title", "Closing the skills gap");
    let date = fields.required_date_or_time("date");
    let authors = fields.required_list("authors", "[jane-doe]");
    for author in authors.iter().flatten() {
        if known_authors.binary_search(&author.value).is_err() {
            fields
                .problems
                .push(unknown_author(file, author, known_authors));
        }
    }
    let slug = slug(file, fields, &entry.name);
    let mut doc = BriefDoc {
        slug: String::new(),
        shown: file.shown.clone(),
        title: String::new(),
        subtitle: fields.text("subtitle"),
        summary: fields.text("summary"),
        date: NaiveDate::MIN,
        time: None,
        updated: fields.date("updated"),
        authors: Vec::new(),
        topics: fields.list("topics").unwrap_or_default(),
        terms: config
            .taxonomies
            .iter()
            .map(|t| fields.one_or_list(&t.key).unwrap_or_default())
            .collect(),
        draft: fields.flag("draft"),
        kind: fields.text("type"),
        image: fields.address("image"),
        pdf: fields.text("pdf"),
        doi: fields.text("doi"),
        extra: fields.value("extra"),
        aliases: aliases(fields),
        corrections: fields.corrections("corrections"),
        key_findings: key_findings(fields),
        related: fields.list("related").unwrap_or_default(),
        body: BodySource::default(),
        bundle: entry.bundle,
    };
    ((doc.date, doc.time), doc.slug, doc.title, doc.authors) = (date?, slug?, title?, authors?);
    correct(file, fields, &mut doc);
    Some(Partial::Brief(Box::new(doc)))
}

/// The key findings, each a sentence or two of inline Markdown whose links must be
/// publishable addresses (an error at the finding otherwise, as in the body).
fn key_findings(fields: &mut Fields<'_>) -> Vec<Located> {
    let findings = fields.list("key_findings").unwrap_or_default();
    for finding in &findings {
        let refused = pulldown_cmark::Parser::new(&finding.value).find_map(|event| match event {
            pulldown_cmark::Event::Start(
                pulldown_cmark::Tag::Link { dest_url, .. }
                | pulldown_cmark::Tag::Image { dest_url, .. },
            ) => super::addresses::refused_address(&dest_url),
            _ => None,
        });
        if let Some(why) = refused {
            let help = super::addresses::address_help().to_string();
            fields.wrong_value("key_findings", &finding.value, &why, help);
        }
    }
    findings
}

/// A correction dated before the brief is an error at its date; the latest correction is the
/// brief's "Updated" date when it is later than `updated:`.
fn correct(file: &SourceFile, fields: &mut Fields<'_>, doc: &mut BriefDoc<BodySource>) {
    for correction in doc.corrections.iter().filter(|c| c.date < doc.date) {
        let problem = correction
            .place
            .error(
                &file.shown,
                format!(
                    "this correction is dated {}, before the brief itself ({})",
                    correction.date, doc.date
                ),
            )
            .width(10)
            .help("date the correction on or after the brief's `date`");
        fields.problems.push(problem);
    }
    let latest = doc.corrections.iter().map(|c| c.date).max();
    doc.updated = doc.updated.max(latest);
}

/// The brief's old addresses: paths from the site's root, each made a folder's address
/// (`/old` → `/old/`) unless it names a file (`/old.html`).
fn aliases(fields: &mut Fields<'_>) -> Vec<Located> {
    let mut kept = Vec::new();
    for alias in fields.list("aliases").unwrap_or_default() {
        if let Some(why) = alias_problem(&alias.value) {
            let help = "write the old address as a path from the site's root, e.g. \
                        `/briefs/old-slug/` or `/2024/05/some-path/`";
            fields.wrong_value("aliases", &alias.value, &why, help.into());
            continue;
        }
        let last = alias.value.rsplit('/').next().unwrap_or("");
        let value = if last.is_empty() || last.contains('.') {
            alias.value
        } else {
            format!("{}/", alias.value)
        };
        kept.push(Located { value, ..alias });
    }
    kept
}

/// Why an alias cannot be an old address of this site, if it cannot.
fn alias_problem(alias: &str) -> Option<String> {
    let plain = alias
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~' | '%'));
    let why = if !alias.starts_with('/') || alias.starts_with("//") {
        "is not a path from the site's root"
    } else if alias.split('/').any(|part| part == ".." || part == ".") {
        "steps out of its folder"
    } else if alias == "/" {
        "is the home page"
    } else if !plain {
        "may hold only letters, digits, `/`, `-`, `_`, `.`, `~` and `%` escapes"
    } else {
        return None;
    };
    Some(format!("the alias `{alias}` {why}"))
}

fn author(file: &SourceFile, fields: &mut Fields<'_>, entry: &Entry) -> Option<Partial> {
    fields.reject_unknown(AUTHOR_FIELDS, "an author");
    let name = fields.required_text("name", "Jane Doe");
    let slug = file_slug(file, fields, &entry.name, "");
    let mut doc = AuthorDoc {
        slug: String::new(),
        shown: file.shown.clone(),
        name: String::new(),
        role: fields.text("role"),
        affiliation: fields.text("affiliation"),
        photo: fields.address("photo"),
        email: fields.text("email"),
        links: fields.links("links"),
        bio: BodySource::default(),
    };
    (doc.slug, doc.name) = (slug?, name?);
    Some(Partial::Author(Box::new(doc)))
}

fn page(file: &SourceFile, fields: &mut Fields<'_>, entry: &Entry) -> Option<Partial> {
    fields.reject_unknown(PAGE_FIELDS, "a page");
    let title = fields.required_text("title", "About us");
    let slug = slug(file, fields, &entry.name);
    let mut doc = PageDoc {
        slug: String::new(),
        shown: file.shown.clone(),
        title: String::new(),
        summary: fields.text("summary"),
        weight: fields.integer("weight").unwrap_or(0),
        draft: fields.flag("draft"),
        extra: fields.value("extra"),
        body: BodySource::default(),
    };
    (doc.slug, doc.title) = (slug?, title?);
    Some(Partial::Page(Box::new(doc)))
}

fn unknown_author(file: &SourceFile, author: &Located, known: &[String]) -> Diagnostic {
    let help = match suggest(&author.value, known.iter().map(String::as_str)) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!(
            "add `content/authors/{}.md` with a `name:`, or use the slug of an existing author",
            author.value
        ),
    };
    author
        .place
        .error(&file.shown, format!("unknown author `{}`", author.value))
        .width(author.value.chars().count())
        .help(help)
}

/// The slug: the `slug` field when given, else the file name; `[a-z0-9-]+` either way.
fn slug(file: &SourceFile, fields: &mut Fields<'_>, name: &str) -> Option<String> {
    match fields.text("slug") {
        Some(slug) if is_slug(&slug) => Some(slug),
        Some(slug) => {
            fields.wrong_value(
                "slug",
                &slug,
                &format!("`{slug}` is not a valid slug"),
                format!(
                    "use only lowercase letters, digits and hyphens, e.g. `slug: {}`",
                    slug::slugify(&slug)
                ),
            );
            None
        }
        None => file_slug(file, fields, name, "or add `slug: {}` to the front matter"),
    }
}

/// The slug a file's name gives; an error when the name is not a valid slug.
fn file_slug(
    file: &SourceFile,
    fields: &mut Fields<'_>,
    name: &str,
    alternative: &str,
) -> Option<String> {
    if is_slug(name) {
        return Some(name.to_string());
    }
    let suggested = slug::slugify(name);
    let in_folder = file.path.file_name().is_some_and(|n| n == "index.md");
    let levels = if in_folder { 2 } else { 1 };
    let renamed = if in_folder {
        suggested.clone()
    } else {
        format!("{suggested}.md")
    };
    let beside = file.path.ancestors().nth(levels);
    let mut help = match beside.filter(|dir| holds_exactly(dir, &renamed)) {
        Some(_) => format!(
            "`{suggested}` is taken by {}: give this one another name, e.g. `{suggested}-2`",
            file.shown
                .ancestors()
                .nth(levels)
                .unwrap_or(Path::new(""))
                .join(&renamed)
                .display()
        ),
        None if in_folder => format!("rename the folder to `{suggested}`"),
        None => format!("rename the file to `{renamed}`"),
    };
    if !alternative.is_empty() {
        help = format!("{help}, {}", alternative.replace("{}", &suggested));
    }
    fields.problems.push(
        Diagnostic::error(
            &file.shown,
            format!(
                "the name `{name}` is not a valid slug (lowercase letters, digits and hyphens)"
            ),
        )
        .help(help),
    );
    None
}

/// Whether `dir` holds an entry named exactly `name` (not merely one a case-insensitive
/// filesystem would match, such as the file being renamed itself).
fn holds_exactly(dir: &Path, name: &str) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|entry| entry.file_name() == name)
    })
}

/// `[a-z0-9-]+`, as DESIGN.md requires of slugs.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Place {
    /// Where the field that names something sits, for errors found after parsing.
    pub fn error(&self, path: &std::path::Path, message: String) -> Diagnostic {
        self.apply(Diagnostic::error(path, message))
    }
}

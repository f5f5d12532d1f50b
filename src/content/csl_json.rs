//! CSL-JSON bibliographies (as Zotero and most reference managers export them) read into
//! hayagriva entries.
//!
//! Written here rather than through hayagriva's optional `csl-json` feature: that feature
//! formats `citationberg::json::Item`s as a separate entry type (so one brief could not cite
//! from a `.bib` and a `.json` file at once), and it panics on date ranges. Mapping the fields
//! a policy brief cites to hayagriva's own `Entry` keeps one entry type and one error path,
//! with serde_json giving every error its line.

use crate::diagnostics::Diagnostic;
use hayagriva::types::{
    Date, EntryType, FormatString, MaybeTyped, Numeric, PageRanges, Person, Publisher,
    QualifiedUrl, SerialNumber,
};
use hayagriva::{Entry, Library};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One CSL-JSON item: the variables folio maps, the rest ignored.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Item {
    id: Scalar,
    #[serde(rename = "type", default)]
    kind: String,
    title: Option<String>,
    #[serde(default)]
    author: Vec<Name>,
    #[serde(default)]
    editor: Vec<Name>,
    issued: Option<CslDate>,
    accessed: Option<CslDate>,
    container_title: Option<String>,
    collection_title: Option<String>,
    publisher: Option<String>,
    publisher_place: Option<String>,
    authority: Option<String>,
    volume: Option<Scalar>,
    issue: Option<Scalar>,
    page: Option<Scalar>,
    number: Option<Scalar>,
    edition: Option<Scalar>,
    genre: Option<String>,
    note: Option<String>,
    #[serde(rename = "abstract")]
    abstract_: Option<String>,
    #[serde(rename = "URL")]
    url: Option<String>,
    #[serde(rename = "DOI")]
    doi: Option<String>,
    #[serde(rename = "ISBN")]
    isbn: Option<String>,
    #[serde(rename = "ISSN")]
    issn: Option<String>,
}

/// A CSL-JSON value that may be written as text or as a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(i64),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(text) => text.clone(),
            Scalar::Number(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Name {
    family: Option<String>,
    given: Option<String>,
    literal: Option<String>,
    non_dropping_particle: Option<String>,
    dropping_particle: Option<String>,
    suffix: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct CslDate {
    date_parts: Option<Vec<Vec<Scalar>>>,
    raw: Option<String>,
    literal: Option<String>,
}

/// Parses a CSL-JSON file: an array of items, each with an `id`.
pub(super) fn parse(shown: &Path, text: &str) -> Result<Library, Diagnostic> {
    let items: Vec<Item> = serde_json::from_str(text).map_err(|err| {
        let message = err.to_string();
        let what = message.split(" at line ").next().unwrap_or(&message);
        let diagnostic = Diagnostic::error(
            shown,
            format!("the bibliography does not parse as CSL-JSON: {what}"),
        )
        .help("a CSL-JSON bibliography is an array of items, each with an `id` and a `type`");
        match err.line() {
            0 => diagnostic,
            line => diagnostic.at(text, line, err.column()),
        }
    })?;
    let mut library = Library::new();
    for item in items {
        library.push(&entry(item));
    }
    Ok(library)
}

/// The hayagriva entry for a CSL item; the container (journal, book, website) becomes its
/// parent, as hayagriva models it.
fn entry(item: Item) -> Entry {
    let (kind, parent_kind) = entry_types(&item.kind);
    let mut entry = Entry::new(&item.id.text(), kind);
    let text = |value: &str| FormatString::with_value(value);
    if let Some(title) = &item.title {
        entry.set_title(text(title));
    }
    let authors = people(&item.author);
    if !authors.is_empty() {
        entry.set_authors(authors);
    }
    let editors = people(&item.editor);
    if !editors.is_empty() {
        entry.set_editors(editors);
    }
    if let Some(date) = item.issued.as_ref().and_then(date) {
        entry.set_date(date);
    }
    let publisher = item.publisher.as_deref().or(item.authority.as_deref());
    if publisher.is_some() || item.publisher_place.is_some() {
        entry.set_publisher(Publisher::new(
            publisher.map(text),
            item.publisher_place.as_deref().map(text),
        ));
    }
    if let Some(url) = item.url.as_deref().and_then(|u| u.parse::<url::Url>().ok()) {
        let visited = item.accessed.as_ref().and_then(date);
        entry.set_url(QualifiedUrl::new(url, visited));
    }
    let mut serials = BTreeMap::new();
    for (key, value) in [
        ("doi", &item.doi),
        ("isbn", &item.isbn),
        ("issn", &item.issn),
    ] {
        if let Some(value) = value {
            serials.insert(key.to_string(), value.clone());
        }
    }
    if let Some(number) = &item.number {
        serials.insert("serial".to_string(), number.text());
    }
    if !serials.is_empty() {
        entry.set_serial_number(SerialNumber(serials));
    }
    if let Some(page) = &item.page {
        entry.set_page_range(parse_or_text::<PageRanges>(&page.text()));
    }
    if let Some(edition) = &item.edition {
        entry.set_edition(parse_or_text::<Numeric>(&edition.text()));
    }
    if let Some(genre) = &item.genre {
        entry.set_genre(text(genre));
    }
    if let Some(note) = &item.note {
        entry.set_note(text(note));
    }
    if let Some(abstract_) = &item.abstract_ {
        entry.set_abstract_(text(abstract_));
    }
    let container = item
        .container_title
        .as_deref()
        .or(item.collection_title.as_deref());
    match (container, parent_kind) {
        (Some(container), Some(parent_kind)) => {
            let mut parent = Entry::new(&format!("{}-parent", item.id.text()), parent_kind);
            parent.set_title(text(container));
            if let Some(volume) = &item.volume {
                parent.set_volume(parse_or_text::<Numeric>(&volume.text()));
            }
            if let Some(issue) = &item.issue {
                parent.set_issue(parse_or_text::<Numeric>(&issue.text()));
            }
            entry.set_parents(vec![parent]);
        }
        _ => {
            if let Some(volume) = &item.volume {
                entry.set_volume(parse_or_text::<Numeric>(&volume.text()));
            }
            if let Some(issue) = &item.issue {
                entry.set_issue(parse_or_text::<Numeric>(&issue.text()));
            }
        }
    }
    entry
}

/// The hayagriva types of a CSL type: the item's, and its container's when it has one.
fn entry_types(csl: &str) -> (EntryType, Option<EntryType>) {
    match csl {
        "article-journal" | "article" => (EntryType::Article, Some(EntryType::Periodical)),
        "article-magazine" => (EntryType::Article, Some(EntryType::Periodical)),
        "article-newspaper" => (EntryType::Article, Some(EntryType::Newspaper)),
        "paper-conference" => (EntryType::Article, Some(EntryType::Proceedings)),
        "chapter" => (EntryType::Chapter, Some(EntryType::Book)),
        "entry-encyclopedia" | "entry-dictionary" | "entry" => {
            (EntryType::Entry, Some(EntryType::Reference))
        }
        "book" => (EntryType::Book, None),
        "report" => (EntryType::Report, None),
        "thesis" => (EntryType::Thesis, None),
        "webpage" => (EntryType::Web, Some(EntryType::Web)),
        "post-weblog" => (EntryType::Article, Some(EntryType::Blog)),
        "post" => (EntryType::Post, None),
        "legislation" | "bill" | "regulation" | "treaty" => (EntryType::Legislation, None),
        "legal_case" => (EntryType::Case, None),
        "dataset" => (EntryType::Repository, None),
        "software" => (EntryType::Repository, None),
        "manuscript" => (EntryType::Manuscript, None),
        "patent" => (EntryType::Patent, None),
        _ => (EntryType::Misc, None),
    }
}

fn people(names: &[Name]) -> Vec<Person> {
    names
        .iter()
        .filter_map(|name| {
            let family = match (&name.family, &name.non_dropping_particle) {
                (Some(family), Some(particle)) => format!("{particle} {family}"),
                (Some(family), None) => family.clone(),
                (None, _) => name.literal.clone()?,
            };
            Some(Person {
                name: family,
                given_name: name.given.clone(),
                prefix: name.dropping_particle.clone(),
                suffix: name.suffix.clone(),
                alias: None,
                comma_suffix: false,
            })
        })
        .collect()
}

/// The first date of a CSL date (a range keeps its start): `date-parts`, else `raw` or
/// `literal` read as `YYYY[-MM[-DD]]`.
fn date(value: &CslDate) -> Option<Date> {
    let parts: Vec<i32> = match &value.date_parts {
        Some(ranges) => ranges
            .first()?
            .iter()
            .map(|part| part.text().trim().parse::<i32>().ok())
            .collect::<Option<Vec<i32>>>()?,
        None => value
            .raw
            .as_deref()
            .or(value.literal.as_deref())?
            .trim()
            .splitn(3, '-')
            .map(|part| part.parse::<i32>().ok())
            .collect::<Option<Vec<i32>>>()?,
    };
    let year = *parts.first()?;
    let month = parts
        .get(1)
        .filter(|m| (1..=12).contains(*m))
        .map(|m| (m - 1) as u8);
    let day = parts
        .get(2)
        .filter(|d| month.is_some() && (1..=31).contains(*d))
        .map(|d| (d - 1) as u8);
    Some(Date {
        year,
        month,
        day,
        approximate: false,
        season: None,
    })
}

/// A typed value when it parses (`12`, `33-35`), else the text as written (`xii`).
fn parse_or_text<T: std::str::FromStr>(text: &str) -> MaybeTyped<T> {
    match text.parse::<T>() {
        Ok(value) => MaybeTyped::Typed(value),
        Err(_) => MaybeTyped::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_become_entries_with_their_container_as_parent() {
        let json = r#"[{"id": "a1", "type": "article-journal", "title": "T",
            "author": [{"family": "Smith", "given": "Jane"}, {"literal": "OECD"}],
            "issued": {"date-parts": [[2021, 3]]}, "container-title": "Journal",
            "volume": 12, "page": "33-35", "DOI": "10.1/x"}]"#;
        let library = parse(Path::new("refs.json"), json).unwrap();
        let entry = library.get("a1").unwrap();
        assert_eq!(entry.entry_type(), &EntryType::Article);
        assert_eq!(entry.authors().unwrap().len(), 2);
        assert_eq!(entry.date().unwrap().month, Some(2));
        assert_eq!(
            entry.parents()[0].title().unwrap().value.to_str(),
            "Journal"
        );
        assert_eq!(entry.keyed_serial_number("doi"), Some("10.1/x"));
    }

    #[test]
    fn errors_name_the_line() {
        let json = "[\n  {\"id\": \"a\", \"type\": \"book\"},\n  {\"type\": \"book\"}\n]";
        let error = parse(Path::new("refs.json"), json).err().unwrap();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("id"), "{}", error.message);
    }
}

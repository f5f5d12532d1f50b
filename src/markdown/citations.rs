//! Citations of a bibliography, pandoc style — `[@key]`, `[@key, p. 12]`, `[see @a; @b]` and
//! in-text `@key` — formatted by hayagriva in the site's CSL style, and the References list.
//!
//! The walk finds citations in text and leaves a marker where each goes (a citation's form
//! depends on the ones before it: "Ibid.", short notes, "2020a"); `finish` then formats every
//! citation in one hayagriva run, in the order a reader meets them, and puts the results in
//! place. In a notes style each citation in the body becomes a note numbered with the author's
//! own `[^x]` notes; in an author-date style it stays in the text and links to its entry.

use super::csl::write_formatted;
use super::footnotes::Footnote;
use super::sources::SourceList;
use super::{Walk, escape};
use crate::diagnostics::{Diagnostic, suggest};
use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, StyleClass};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose, ElemChild,
    ElemChildren, ElemMeta, Entry, Library, LocatorPayload, SpecificLocator, standalone_citation,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;

/// What a brief cites from: its bibliography files and the site's citation style.
pub struct Bibliography<'a> {
    /// Whether every file named could be read; when not (an error already), a key not found
    /// is not reported.
    pub complete: bool,
    /// Searched in order: the first file with a key has the entry.
    pub libraries: Vec<&'a Library>,
    pub style: &'a IndependentStyle,
    pub locales: &'a [Locale],
    /// The site's language, for the style's terms ("p.", "and").
    pub language: &'a str,
}

impl<'a> Bibliography<'a> {
    fn entry(&self, key: &str) -> Option<&'a Entry> {
        self.libraries.iter().find_map(|library| library.get(key))
    }

    fn nearest_key(&self, key: &str) -> Option<&'a str> {
        suggest(
            key,
            self.libraries.iter().flat_map(|library| library.keys()),
        )
    }

    fn is_notes(&self) -> bool {
        self.style.settings.class == StyleClass::Note
    }

    fn locale(&self) -> Option<LocaleCode> {
        Some(LocaleCode(self.language.to_string()))
    }
}

/// One entry of a brief's References list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reference {
    /// The entry's element id; in-text citations link to it.
    pub id: String,
    /// The cite key.
    pub key: String,
    /// The entry formatted in the site's style, with `<i>` and links.
    pub html: String,
    /// The entry as a Highwire Press `citation_reference` value.
    pub highwire: String,
}

/// A citation found in text.
enum Found<'t> {
    /// `[see @a, p. 3; @b]`
    Cluster {
        range: Range<usize>,
        items: Vec<Item<'t>>,
    },
    /// `@a`, at the start of a word.
    InText { range: Range<usize>, key: &'t str },
}

/// One `@key` of a bracketed citation, with what surrounds it.
struct Item<'t> {
    prefix: &'t str,
    key: &'t str,
    locator: Option<(Locator, &'t str)>,
    suffix: &'t str,
}

/// The citations of one text, waiting to be formatted.
pub(super) struct Citations<'b> {
    bibliography: &'b Bibliography<'b>,
    cites: Vec<Cite<'b>>,
    /// Note number → the citation that is the note's text.
    note_cites: HashMap<usize, usize>,
}

struct Cite<'b> {
    items: Vec<CiteItem<'b>>,
    purpose: Option<CitePurpose>,
    /// In a notes style: the note the citation is, or is in.
    note: Option<usize>,
    /// Formatted apart from the sequence (an in-text citation's author name in a notes style,
    /// which must not make the note after it a "subsequent" one).
    standalone: bool,
    /// Whether the citation is a whole note (its first letter is capitalised).
    whole_note: bool,
    /// Where the citation is, as the Sources list names places.
    place: String,
}

struct CiteItem<'b> {
    entry: &'b Entry,
    locator: Option<(Locator, String)>,
    prefix: String,
    suffix: String,
}

impl<'b> Citations<'b> {
    pub fn new(bibliography: &'b Bibliography<'b>) -> Self {
        Citations {
            bibliography,
            cites: Vec::new(),
            note_cites: HashMap::new(),
        }
    }

    fn push(&mut self, cite: Cite<'b>) -> usize {
        self.cites.push(cite);
        self.cites.len() - 1
    }

    /// The note text of a note that is a citation: its marker.
    pub fn note_marker(&self, note: usize) -> Option<String> {
        self.note_cites.get(&note).map(|&cite| marker(cite))
    }
}

/// Where a formatted citation goes in the HTML until it is formatted. Only raw HTML could
/// contain it (text is escaped), and a page's author has no reason to write it.
fn marker(cite: usize) -> String {
    format!("<!--folio:cite:{cite}-->")
}

impl<'i> Walk<'i> {
    /// Text with its citations replaced (notes, markers for the formatted text), as HTML;
    /// `None` when it cites nothing. Unknown keys in brackets are errors.
    pub(super) fn cite_in_text(&mut self, text: &str, range: Range<usize>) -> Option<String> {
        let found = scan(text);
        if found.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len() + 64);
        let mut last = 0;
        let mut changed = false;
        let mut cursor = Cursor {
            at: Some(range.start),
            range,
        };
        for found in found {
            match found {
                Found::Cluster { range: at, items } => {
                    if at.start < last {
                        continue;
                    }
                    let offsets: Vec<usize> = items
                        .iter()
                        .map(|item| self.locate(&mut cursor, item.key))
                        .collect();
                    if self.escaped(offsets[0]) {
                        continue;
                    }
                    let written = &text[at.clone()];
                    let Some(cited) = self.cluster_items(&items, written, &offsets) else {
                        continue;
                    };
                    changed = true;
                    if self.in_own_note() {
                        out.push_str(&escape(text[last..at.start].trim_end()));
                        let mut end = at.end;
                        if let Some(stop) = text[at.end..]
                            .chars()
                            .next()
                            .filter(|c| ".,;:!?".contains(*c))
                        {
                            out.push(stop);
                            end += stop.len_utf8();
                        }
                        out.push_str(&self.citation_note(cited, written));
                        last = end;
                    } else {
                        out.push_str(&escape(&text[last..at.start]));
                        let cite = self.inline_cite(cited, None);
                        out.push_str(&marker(cite));
                        last = at.end;
                    }
                }
                Found::InText { range: at, key } => {
                    // Without a bibliography an `@name` is only text.
                    if at.start < last || self.citations.is_none() {
                        continue;
                    }
                    let offset = self.locate(&mut cursor, key);
                    if self.escaped(offset) {
                        continue;
                    }
                    let Some(entry) = self.in_text_entry(key, offset) else {
                        continue;
                    };
                    changed = true;
                    out.push_str(&escape(&text[last..at.start]));
                    let item = || CiteItem {
                        entry,
                        locator: None,
                        prefix: String::new(),
                        suffix: String::new(),
                    };
                    if self.in_own_note() {
                        // "Smith¹ argues": the name in the text, the reference in a note.
                        let author = self.inline_cite(vec![item()], Some(CitePurpose::Author));
                        if let Some(citations) = self.citations.as_mut() {
                            citations.cites[author].standalone = true;
                        }
                        out.push_str(&marker(author));
                        out.push_str(&self.citation_note(vec![item()], &text[at.clone()]));
                    } else {
                        let cite = self.inline_cite(vec![item()], Some(CitePurpose::Prose));
                        out.push_str(&marker(cite));
                    }
                    last = at.end;
                }
            }
        }
        if !changed {
            return None;
        }
        out.push_str(&escape(&text[last..]));
        Some(out)
    }

    /// Whether a citation here becomes a note of its own: in a notes style, outside notes.
    fn in_own_note(&self) -> bool {
        let notes_style = self
            .citations
            .as_ref()
            .is_some_and(|c| c.bibliography.is_notes());
        notes_style && self.rendering_note.is_none()
    }

    /// A new note whose text is the citation; returns the note reference's HTML.
    fn citation_note(&mut self, items: Vec<CiteItem<'i>>, written: &str) -> String {
        let (number, html) = self.notes.generated(written);
        let place = format!("Note {number}");
        if let Some(citations) = self.citations.as_mut() {
            let cite = citations.push(Cite {
                items,
                purpose: None,
                note: Some(number),
                standalone: false,
                whole_note: true,
                place,
            });
            citations.note_cites.insert(number, cite);
        }
        html
    }

    /// A citation formatted where it stands.
    fn inline_cite(&mut self, items: Vec<CiteItem<'i>>, purpose: Option<CitePurpose>) -> usize {
        let cite = Cite {
            items,
            purpose,
            note: self.rendering_note,
            standalone: false,
            whole_note: false,
            place: self.place.clone(),
        };
        match self.citations.as_mut() {
            Some(citations) => citations.push(cite),
            None => 0,
        }
    }

    /// The entries of a bracketed citation; `None` (the text stays as written) when the brief
    /// has no bibliography (a warning) or a key is unknown (an error each).
    fn cluster_items(
        &mut self,
        items: &[Item<'_>],
        written: &str,
        offsets: &[usize],
    ) -> Option<Vec<CiteItem<'i>>> {
        let Some(bibliography) = self.citations.as_ref().map(|c| c.bibliography) else {
            let at = offsets[0];
            let warning = Diagnostic::warning(
                self.input.path,
                format!("`{written}` looks like a citation, but the brief has no bibliography"),
            );
            let warning = self
                .at(warning, at)
                .width(items[0].key.chars().count() + 1)
                .help(
                    "name one in the front matter (`bibliography: refs.bib`) or in site.toml \
                     (`[citation] bibliography`), or write `\\@` if this is not a citation",
                );
            self.diagnostics.push(warning);
            return None;
        };
        let mut cited = Vec::with_capacity(items.len());
        let mut complete = true;
        for (index, item) in items.iter().enumerate() {
            match bibliography.entry(item.key) {
                Some(entry) => cited.push(CiteItem {
                    entry,
                    locator: item.locator.map(|(kind, value)| (kind, value.to_string())),
                    prefix: capitalised(item.prefix, index == 0 && self.in_own_note()),
                    suffix: item.suffix.to_string(),
                }),
                None => {
                    complete = false;
                    if bibliography.complete {
                        self.unknown_key(item.key, offsets[index], bibliography, true);
                    }
                }
            }
        }
        complete.then_some(cited)
    }

    /// The entry an in-text `@key` cites; an unknown key is left as text (it may be a handle
    /// or a name), with a warning when it is a near miss of a key that exists.
    fn in_text_entry(&mut self, key: &str, at: usize) -> Option<&'i Entry> {
        let bibliography = self.citations.as_ref()?.bibliography;
        let entry = bibliography.entry(key);
        if entry.is_none() && bibliography.complete && bibliography.nearest_key(key).is_some() {
            self.unknown_key(key, at, bibliography, false);
        }
        entry
    }

    fn unknown_key(&mut self, key: &str, at: usize, bibliography: &Bibliography<'_>, error: bool) {
        let message = format!("unknown citation key `@{key}`");
        let diagnostic = if error {
            Diagnostic::error(self.input.path, message)
        } else {
            Diagnostic::warning(self.input.path, message)
        };
        let help = match bibliography.nearest_key(key) {
            Some(near) => format!("did you mean `@{near}`?"),
            None => "add the entry to the bibliography, or correct the key (write `\\@` \
                     for an @ that is not a citation)"
                .to_string(),
        };
        let diagnostic = self
            .at(diagnostic, at)
            .width(key.chars().count() + 1)
            .help(help);
        self.diagnostics.push(diagnostic);
    }

    /// The byte offset in the Markdown text of the next `@key` of an event's source (which may
    /// differ from the event's text by escapes and smart punctuation), for diagnostics. The
    /// cursor moves past it, so each search starts where the last ended; once a key is not
    /// found the rest of the event is placed at its start, so no search runs twice over it.
    fn locate(&self, cursor: &mut Cursor, key: &str) -> usize {
        let Some(from) = cursor.at else {
            return cursor.range.start;
        };
        let needle = format!("@{key}");
        let source = self.input.text.get(from..cursor.range.end).unwrap_or("");
        match source.find(&needle) {
            Some(at) => {
                cursor.at = Some(from + at + needle.len());
                from + at
            }
            None => {
                cursor.at = None;
                cursor.range.start
            }
        }
    }

    /// Whether the author wrote `\@key` (at `at`): an @ that is not a citation.
    fn escaped(&self, at: usize) -> bool {
        at > 0
            && self.input.text.as_bytes().get(at) == Some(&b'@')
            && self.input.text.as_bytes().get(at - 1) == Some(&b'\\')
    }
}

/// Where the search for the next key in an event's source resumes (see `Walk::locate`).
struct Cursor {
    range: Range<usize>,
    at: Option<usize>,
}

fn capitalised(text: &str, capitalise: bool) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if capitalise => first.to_uppercase().chain(chars).collect(),
        _ => text.to_string(),
    }
}

/// Formats every citation and the References list, puts the citations in place in `html` and
/// the notes, and cites the entries' URLs as sources.
pub(super) fn finish(
    citations: Citations<'_>,
    sources: &mut SourceList,
    html: &mut String,
    notes: &mut [Footnote],
) -> Vec<Reference> {
    if citations.cites.is_empty() {
        return Vec::new();
    }
    let bibliography = citations.bibliography;
    let style = bibliography.style;
    let locales = bibliography.locales;
    let request = |cite| request(cite, bibliography);
    // The order a reader meets them: the body, then each note in turn (a notes style numbers
    // the citations in notes by the note they are in).
    let mut order: Vec<usize> = (0..citations.cites.len())
        .filter(|&i| !citations.cites[i].standalone)
        .collect();
    order.sort_by_key(|&i| citations.cites[i].note.unwrap_or(0));
    let mut driver = BibliographyDriver::new();
    for &i in &order {
        driver.citation(request(&citations.cites[i]));
    }
    let rendered = driver.finish(BibliographyRequest::new(
        style,
        bibliography.locale(),
        locales,
    ));

    let items = rendered.bibliography.map(|b| b.items).unwrap_or_default();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut taken: HashMap<String, usize> = HashMap::new();
    for item in &items {
        let base = format!("{}ref-{}", sources.id_prefix(), id_part(&item.key));
        let count = taken.entry(base.clone()).or_insert(0);
        *count += 1;
        let id = match *count {
            1 => base,
            n => format!("{base}-{n}"),
        };
        ids.insert(item.key.clone(), id);
    }
    let link_entries = !bibliography.is_notes();

    let mut formatted = vec![String::new(); citations.cites.len()];
    for (&i, citation) in order.iter().zip(&rendered.citations) {
        let cite = &citations.cites[i];
        formatted[i] = write_citation(cite, &citation.citation, &ids, link_entries, sources);
    }
    for (i, cite) in citations.cites.iter().enumerate() {
        if cite.standalone {
            let children = standalone_citation(request(cite));
            formatted[i] = write_citation(cite, &children, &ids, false, sources);
        }
    }

    sources.set_rank(usize::MAX);
    let references = items
        .iter()
        .map(|item| {
            let entry = bibliography.entry(&item.key);
            let mut writer = Writer {
                cite: None,
                ids: &ids,
                link_entries: false,
                sources,
                place: "References",
                in_link: false,
                entry_name: entry.and_then(entry_name),
                out: String::new(),
            };
            // Numeric styles (IEEE, Vancouver) give the entry's number as a field of its own.
            if let Some(first) = &item.first_field {
                writer.write(&ElemChildren(vec![first.clone()]));
                writer.out.push(' ');
            }
            writer.write(&item.content);
            Reference {
                id: ids[&item.key].clone(),
                key: item.key.clone(),
                html: writer.out.trim().to_string(),
                highwire: entry.map(highwire_reference).unwrap_or_default(),
            }
        })
        .collect();

    put_in_place(html, &formatted);
    for note in notes {
        put_in_place(&mut note.html, &formatted);
    }
    references
}

/// The hayagriva request for one citation.
fn request<'r>(
    cite: &'r Cite<'r>,
    bibliography: &'r Bibliography<'r>,
) -> CitationRequest<'r, Entry> {
    let items = cite
        .items
        .iter()
        .map(|item| {
            let locator = item
                .locator
                .as_ref()
                .map(|(kind, value)| SpecificLocator(*kind, LocatorPayload::Str(value)));
            let mut citation = CitationItem::with_locator(item.entry, locator);
            citation.purpose = cite.purpose;
            citation
        })
        .collect();
    CitationRequest::new(
        items,
        bibliography.style,
        bibliography.locale(),
        bibliography.locales,
        cite.note,
    )
}

/// A citation's HTML; its links to the web are cited as sources at its place.
fn write_citation(
    cite: &Cite<'_>,
    children: &ElemChildren,
    ids: &HashMap<String, String>,
    link_entries: bool,
    sources: &mut SourceList,
) -> String {
    sources.set_rank(cite.note.unwrap_or(0));
    let mut writer = Writer {
        cite: Some(cite),
        ids,
        link_entries,
        sources,
        place: &cite.place,
        in_link: false,
        entry_name: None,
        out: String::new(),
    };
    writer.write(children);
    let mut html = writer.out.trim().to_string();
    if cite.whole_note && !html.starts_with('<') {
        html = capitalised(&html, true);
    }
    // A notes style ends each note with a full stop; a citation within the author's sentence
    // (a name in the text, a citation inside a note) leaves the sentence's end to the author.
    let within_sentence = !cite.whole_note && cite.note.is_some() || cite.standalone;
    if within_sentence && html.ends_with('.') && !html.ends_with("..") {
        html.pop();
    }
    html
}

/// Replaces the markers in `html` with the formatted citations.
fn put_in_place(html: &mut String, formatted: &[String]) {
    const OPEN: &str = "<!--folio:cite:";
    if !html.contains(OPEN) {
        return;
    }
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html.as_str();
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        let end = after.find("-->");
        let index = end.and_then(|end| after[..end].parse::<usize>().ok());
        match (end, index.and_then(|i| formatted.get(i))) {
            (Some(end), Some(text)) => {
                out.push_str(text);
                rest = &after[end + 3..];
            }
            _ => {
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    *html = out;
}

/// hayagriva's formatted output as HTML: formatting as plain elements, text escaped, each
/// cited item with the prefix and suffix its author wrote and (in an author-date style) a
/// link to its References entry, links to the web cited as sources.
struct Writer<'w, 'b> {
    cite: Option<&'w Cite<'b>>,
    ids: &'w HashMap<String, String>,
    link_entries: bool,
    sources: &'w mut SourceList,
    place: &'w str,
    in_link: bool,
    /// The name of the entry being written (`entry_name`): a web address in it is that source.
    entry_name: Option<String>,
    out: String,
}

impl Writer<'_, '_> {
    fn write(&mut self, children: &ElemChildren) {
        for child in &children.0 {
            match child {
                ElemChild::Text(text) => write_formatted(text, &mut self.out),
                ElemChild::Elem(elem) => match (&elem.meta, self.cite) {
                    (Some(ElemMeta::Entry(index)), Some(cite)) => match cite.items.get(*index) {
                        Some(item) => self.item(item, &elem.children),
                        None => self.write(&elem.children),
                    },
                    _ => self.write(&elem.children),
                },
                ElemChild::Markup(markup) => self.out.push_str(&escape(markup)),
                ElemChild::Link { text, url } => {
                    let lower = url.to_ascii_lowercase();
                    let web = lower.starts_with("https://") || lower.starts_with("http://");
                    if web && !self.in_link {
                        let id = self.sources.cite(url, self.place);
                        if let Some(name) = &self.entry_name {
                            self.sources.name_text(name);
                        }
                        self.sources.end_link();
                        self.out.push_str(&super::sources::open_link(url, "", &id));
                        write_formatted(text, &mut self.out);
                        self.out.push_str("</a>");
                    } else {
                        write_formatted(text, &mut self.out);
                    }
                }
                ElemChild::Transparent { .. } => {}
            }
        }
    }

    fn item(&mut self, item: &CiteItem<'_>, children: &ElemChildren) {
        if !item.prefix.is_empty() {
            self.out.push_str(&escape(item.prefix.trim()));
            self.out.push(' ');
        }
        let outer = self
            .entry_name
            .replace(entry_name(item.entry).unwrap_or_default());
        let target = self
            .ids
            .get(item.entry.key())
            .filter(|_| self.link_entries && !self.in_link);
        if let Some(id) = target {
            self.out
                .push_str(&format!(r##"<a href="#{id}" class="citation">"##));
            self.in_link = true;
            self.write(children);
            self.in_link = false;
            self.out.push_str("</a>");
        } else {
            self.write(children);
        }
        self.entry_name = outer;
        self.out.push_str(&escape(item.suffix.trim_end()));
    }
}

/// What the Sources list calls a bibliography entry's web address: its authors (the first
/// two, or the first "et al.") and title, as a note would name it: "Climate Change Committee,
/// Progress in Reducing Emissions".
fn entry_name(entry: &Entry) -> Option<String> {
    let title = entry.title()?.to_string();
    let people: Vec<String> = entry
        .authors()
        .unwrap_or_default()
        .iter()
        .map(|p| p.name_first(false, false))
        .collect();
    let authors = match people.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [one, two] => Some(format!("{one} and {two}")),
        [one, ..] => Some(format!("{one} et al.")),
    };
    Some(match authors {
        Some(authors) => format!("{authors}, {title}"),
        None => title,
    })
}

/// A cite key as part of an element id: letters, digits, `-` and `_`.
fn id_part(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// An entry as Google Scholar reads a `citation_reference`: `citation_title=…; citation_author=…`.
fn highwire_reference(entry: &Entry) -> String {
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(title) = entry.title() {
        fields.push(("citation_title", title.to_string()));
    }
    for person in entry.authors().unwrap_or_default() {
        fields.push(("citation_author", person.name_first(false, false)));
    }
    if let Some(date) = entry.date_any() {
        fields.push(("citation_publication_date", date.year.to_string()));
    }
    if let Some(parent) = entry.parents().first() {
        if let Some(title) = parent.title() {
            fields.push(("citation_journal_title", title.to_string()));
        }
        if let Some(volume) = parent.volume() {
            fields.push(("citation_volume", volume.to_string()));
        }
        if let Some(issue) = parent.issue() {
            fields.push(("citation_issue", issue.to_string()));
        }
    }
    if let Some(publisher) = entry.publisher().and_then(|p| p.name()) {
        fields.push(("citation_publisher", publisher.to_string()));
    }
    if let Some(doi) = entry.keyed_serial_number("doi") {
        fields.push(("citation_doi", doi.to_string()));
    }
    if let Some(url) = entry.url() {
        fields.push(("citation_url", url.value.to_string()));
    }
    fields
        .into_iter()
        .map(|(name, value)| {
            let value = value.replace(';', ",");
            format!(
                "{name}={}",
                value.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The citations in a text, in order: bracketed clusters, and `@key` at the start of a word.
fn scan(text: &str) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' if bytes.get(i + 1) != Some(&b'^') => {
                let close = text[i + 1..]
                    .find([']', '['])
                    .filter(|&at| bytes[i + 1 + at] == b']');
                if let Some(close) = close {
                    let end = i + 1 + close;
                    if let Some(items) = cluster(&text[i + 1..end]) {
                        found.push(Found::Cluster {
                            range: i..end + 1,
                            items,
                        });
                        i = end + 1;
                        continue;
                    }
                }
            }
            b'@' if word_start(text, i) => {
                let key = key_at(&text[i + 1..]);
                if !key.is_empty() {
                    found.push(Found::InText {
                        range: i..i + 1 + key.len(),
                        key,
                    });
                    i += 1 + key.len();
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Whether the `@` at `at` starts a word: not part of an address such as `user@example.org`.
fn word_start(text: &str, at: usize) -> bool {
    match text[..at].chars().next_back() {
        None => true,
        Some(c) => !(c.is_alphanumeric() || "_@.:/\\&=+-".contains(c)),
    }
}

/// The cite key at the start of `text`: `[A-Za-z0-9_][\w:.#$%&+?<>~/-]*`, without trailing
/// punctuation (`@smith2020.` cites `smith2020`).
fn key_at(text: &str) -> &str {
    let mut chars = text.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphanumeric() || c == '_' => {}
        _ => return "",
    }
    let inner = |c: char| c.is_alphanumeric() || c == '_' || ":.#$%&+?<>~/-".contains(c);
    let end = chars
        .find(|&(_, c)| !inner(c))
        .map_or(text.len(), |(at, _)| at);
    text[..end].trim_end_matches(|c: char| ":.#$%&+?<>~/-".contains(c))
}

/// The items of a bracketed citation, `see @a, p. 3; @b`; `None` unless every `;`-separated
/// part has a `@key`.
fn cluster(inner: &str) -> Option<Vec<Item<'_>>> {
    if !inner.contains('@') {
        return None;
    }
    inner
        .split(';')
        .map(|part| {
            let at = part.char_indices().find_map(|(at, c)| {
                let starts = c == '@'
                    && part[..at]
                        .chars()
                        .next_back()
                        .is_none_or(|b| b.is_whitespace() || b == '-');
                starts.then_some(at)
            })?;
            let key = key_at(&part[at + 1..]);
            if key.is_empty() {
                return None;
            }
            let prefix = part[..at].trim().trim_end_matches('-').trim_end();
            let rest = &part[at + 1 + key.len()..];
            let (locator, suffix) = match rest.trim_start().strip_prefix(',') {
                Some(after) => locator(after),
                None => (None, rest),
            };
            Some(Item {
                prefix,
                key,
                locator,
                suffix,
            })
        })
        .collect()
}

/// Locator terms as authors write them, longest first where one begins another.
const LOCATOR_TERMS: &[(&str, Locator)] = &[
    ("pages", Locator::Page),
    ("page", Locator::Page),
    ("pp.", Locator::Page),
    ("p.", Locator::Page),
    ("chapters", Locator::Chapter),
    ("chapter", Locator::Chapter),
    ("chap.", Locator::Chapter),
    ("ch.", Locator::Chapter),
    ("sections", Locator::Section),
    ("section", Locator::Section),
    ("sec.", Locator::Section),
    ("§§", Locator::Section),
    ("§", Locator::Section),
    ("paragraphs", Locator::Paragraph),
    ("paragraph", Locator::Paragraph),
    ("para.", Locator::Paragraph),
    ("¶", Locator::Paragraph),
    ("volumes", Locator::Volume),
    ("volume", Locator::Volume),
    ("vols.", Locator::Volume),
    ("vol.", Locator::Volume),
    ("figures", Locator::Figure),
    ("figure", Locator::Figure),
    ("figs.", Locator::Figure),
    ("fig.", Locator::Figure),
    ("tables", Locator::Table),
    ("table", Locator::Table),
    ("tab.", Locator::Table),
    ("notes", Locator::Note),
    ("note", Locator::Note),
    ("nn.", Locator::Note),
    ("n.", Locator::Note),
    ("lines", Locator::Line),
    ("line", Locator::Line),
    ("ll.", Locator::Line),
    ("l.", Locator::Line),
    ("columns", Locator::Column),
    ("column", Locator::Column),
    ("col.", Locator::Column),
    ("parts", Locator::Part),
    ("part", Locator::Part),
    ("pt.", Locator::Part),
    ("appendix", Locator::Appendix),
    ("app.", Locator::Appendix),
    ("articles", Locator::ArticleLocator),
    ("article", Locator::ArticleLocator),
    ("art.", Locator::ArticleLocator),
];

/// Splits what follows `@key,` into a locator (`p. 12`, `chap. 3`, or a bare number, read as
/// a page) and the suffix after it.
fn locator(text: &str) -> (Option<(Locator, &str)>, &str) {
    let trimmed = text.trim_start();
    let term = LOCATOR_TERMS.iter().find_map(|&(term, kind)| {
        let head = trimmed.get(..term.len())?;
        let next = trimmed[term.len()..].chars().next();
        let whole_word =
            term.ends_with('.') || !term.is_ascii() || next.is_none_or(|c| !c.is_alphabetic());
        (head.eq_ignore_ascii_case(term) && whole_word).then_some((kind, term.len()))
    });
    let (kind, value) = match term {
        Some((kind, len)) => (kind, &trimmed[len..]),
        None if trimmed.starts_with(|c: char| c.is_ascii_digit()) => (Locator::Page, trimmed),
        None => return (None, text),
    };
    let value_end = value.find(',').unwrap_or(value.len());
    let number = value[..value_end].trim();
    if number.is_empty() {
        return (None, text);
    }
    (Some((kind, number)), &value[value_end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        scan(text)
            .into_iter()
            .map(|found| match found {
                Found::Cluster { items, .. } => items
                    .iter()
                    .map(|i| format!("[{}]", i.key))
                    .collect::<Vec<_>>()
                    .join(""),
                Found::InText { key, .. } => key.to_string(),
            })
            .collect()
    }

    #[test]
    fn finds_clusters_and_in_text_keys_but_not_addresses() {
        assert_eq!(
            keys("As @smith2020 argues [see @a; @b, p. 3]. Mail user@example.org."),
            ["smith2020", "[a][b]"]
        );
        assert_eq!(
            keys("(@doe:2019.) and [^note] and [x] and [a @ b]"),
            ["doe:2019"]
        );
        assert!(keys("an @ alone, foo@bar, [email: a@b.org]").is_empty());
    }

    #[test]
    fn reads_prefixes_locators_and_suffixes() {
        let found =
            scan("[see @a, pp. 33-35, emphasis added; also @b, chap. 2; @c, 12; @d and more]");
        let Some(Found::Cluster { items, .. }) = found.first() else {
            panic!("no cluster");
        };
        assert_eq!(items[0].prefix, "see");
        assert_eq!(items[0].locator, Some((Locator::Page, "33-35")));
        assert_eq!(items[0].suffix, ", emphasis added");
        assert_eq!(items[1].prefix, "also");
        assert_eq!(items[1].locator, Some((Locator::Chapter, "2")));
        assert_eq!(items[2].locator, Some((Locator::Page, "12")));
        assert_eq!(items[3].locator, None);
        assert_eq!(items[3].suffix, " and more");
    }

    fn render(text: &str, bib: &str) -> (super::super::Rendered, Vec<Diagnostic>) {
        let library = hayagriva::io::from_biblatex_str(bib).unwrap();
        let style = crate::markdown::csl::cached_style("chicago-notes", false).unwrap();
        let bibliography = Bibliography {
            complete: true,
            libraries: vec![&library],
            style,
            locales: crate::markdown::csl::locales("en", style),
            language: "en",
        };
        let input = super::super::MarkdownInput {
            text,
            first_line: 1,
            path: std::path::Path::new("content/briefs/x.md"),
            id_prefix: "x-",
            root_path: "",
        };
        super::super::render_cited_markdown(&input, Some(&bibliography))
    }

    const BIB: &str = "@book{a_b, author = {Doe, Jane}, title = {Title}, date = {2020}}";

    #[test]
    fn an_escaped_at_sign_is_text() {
        let (rendered, problems) = render("Not \\@a_b, but [@a_b].\n", BIB);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rendered.footnotes.len(), 1);
        assert!(
            rendered.html.contains("Not @a_b, but."),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn keys_written_with_escapes_are_placed_without_searching_twice() {
        // `\_` is `_` in the text but not in the source: every search would miss.
        let text = "[@a\\_c] ".repeat(2_000);
        let (_, problems) = render(&text, BIB);
        assert_eq!(problems.len(), 2_000);
        assert!(problems.iter().all(|p| p.line == 1));
    }

    #[test]
    fn markers_are_replaced_and_stray_ones_kept() {
        let mut html = "a <!--folio:cite:1--> b <!--folio:cite:9--> <!--folio:cite:x".to_string();
        put_in_place(&mut html, &["zero".into(), "one".into()]);
        assert_eq!(html, "a one b <!--folio:cite:9--> <!--folio:cite:x");
    }
}

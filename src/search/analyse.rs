//! A brief's text as the index reads it: fields split into words, folded and stemmed.

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// The fields a document's words are counted in, in the order of `FIELD_WEIGHTS`.
pub const FIELD_COUNT: usize = 6;
pub const TITLE: usize = 0;
pub const HEADING: usize = 1;
pub const SUMMARY: usize = 2;
pub const BODY: usize = 3;
pub const NOTES: usize = 4;
pub const META: usize = 5;

/// Characters of each section's text kept for excerpts.
const EXCERPT_CHARS: usize = 320;

/// One stem's counts in a document: per field, and the first section whose heading or text
/// has it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TermCounts {
    pub per_field: [u16; FIELD_COUNT],
    pub section: u16,
}

/// A part of a document under one heading (the first has no heading), for sub-results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Section {
    pub anchor: String,
    pub heading: String,
    pub text: String,
}

/// A document's analysed text: what the cache keeps per brief, by its content.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analysed {
    pub terms: BTreeMap<String, TermCounts>,
    /// Each surface word (folded) and its stem.
    pub words: BTreeMap<String, String>,
    pub lengths: [u32; FIELD_COUNT],
    pub sections: Vec<Section>,
}

/// The site language's Snowball stemmer, or `None` when Snowball lacks it.
pub fn stemmer_for(language: &str) -> Option<Stemmer> {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_lowercase();
    let algorithm = match primary.as_str() {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// A word lowercased with its diacritics removed ("Café" → "cafe").
pub fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of a text, folded, as Unicode word segmentation finds them.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.unicode_words().map(fold).filter(|w| !w.is_empty())
}

/// Builds an `Analysed` from the text of a document's fields.
pub struct Analyser<'a> {
    stemmer: Option<&'a Stemmer>,
    analysed: Analysed,
}

impl<'a> Analyser<'a> {
    pub fn new(stemmer: Option<&'a Stemmer>) -> Self {
        let first = Section {
            anchor: String::new(),
            heading: String::new(),
            text: String::new(),
        };
        let mut analysed = Analysed::default();
        analysed.sections.push(first);
        Analyser { stemmer, analysed }
    }

    /// Counts `text`'s words in `field`, in the current section.
    pub fn add(&mut self, field: usize, text: &str) {
        let section = (self.analysed.sections.len() - 1) as u16;
        for word in words(text) {
            let stem = match self.stemmer {
                Some(stemmer) => stemmer.stem(&word).into_owned(),
                None => word.clone(),
            };
            let counts = self.analysed.terms.entry(stem.clone()).or_default();
            let in_text = counts.per_field[BODY] > 0 || counts.per_field[HEADING] > 0;
            if (field == BODY || field == HEADING) && !in_text {
                counts.section = section;
            }
            counts.per_field[field] = counts.per_field[field].saturating_add(1);
            self.analysed.lengths[field] += 1;
            self.analysed.words.entry(word).or_insert(stem);
        }
    }

    /// Starts a section under a heading with `anchor`.
    pub fn heading(&mut self, anchor: &str, heading: &str) {
        self.analysed.sections.push(Section {
            anchor: anchor.to_string(),
            heading: heading.to_string(),
            text: String::new(),
        });
        self.add(HEADING, heading);
    }

    /// Body text of the current section: counted, and its start kept for excerpts.
    pub fn body(&mut self, text: &str) {
        self.add(BODY, text);
        let section = self.analysed.sections.last_mut().expect("a first section");
        let room = EXCERPT_CHARS.saturating_sub(section.text.chars().count());
        if room > 0 {
            if !section.text.is_empty() {
                section.text.push(' ');
            }
            section.text.extend(text.chars().take(room));
        }
    }

    pub fn finish(self) -> Analysed {
        self.analysed
    }
}

/// The text of an HTML fragment in runs: `Text` between tags and `Heading` for each `<h2>` or
/// `<h3>` with an id. Entities are decoded; tags are dropped.
#[derive(Debug, PartialEq)]
pub enum Run {
    Text(String),
    Heading { anchor: String, title: String },
}

pub fn runs(html: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = &rest[open..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        if let Some(anchor) = heading_anchor(tag) {
            let end = rest.find("</h").unwrap_or(rest.len());
            let title = collapse(&decode(&strip_tags(&rest[..end])));
            rest = &rest[end..];
            flush(&mut out, &mut text);
            out.push(Run::Heading { anchor, title });
        } else if is_block(tag) {
            text.push(' ');
        }
    }
    text.push_str(rest);
    flush(&mut out, &mut text);
    out
}

fn flush(out: &mut Vec<Run>, text: &mut String) {
    let trimmed = collapse(&decode(text));
    if !trimmed.is_empty() {
        out.push(Run::Text(trimmed));
    }
    text.clear();
}

/// Text with its runs of white space made one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The id of an `h2`/`h3` opening tag.
fn heading_anchor(tag: &str) -> Option<String> {
    if !(tag.starts_with("h2") || tag.starts_with("h3")) {
        return None;
    }
    let start = tag.find("id=\"")? + 4;
    let end = tag[start..].find('"')? + start;
    Some(decode(&tag[start..end]))
}

fn is_block(tag: &str) -> bool {
    let name = tag.trim_start_matches('/');
    [
        "p",
        "li",
        "h",
        "td",
        "th",
        "br",
        "div",
        "blockquote",
        "figcaption",
        "pre",
    ]
    .iter()
    .any(|block| name.starts_with(block))
}

/// Text with tags removed.
pub fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// The entities folio's Markdown writes, decoded.
fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_stems() {
        let stemmer = stemmer_for("en-GB").unwrap();
        let mut analyser = Analyser::new(Some(&stemmer));
        analyser.add(TITLE, "Café Zoning rules");
        let analysed = analyser.finish();
        assert_eq!(analysed.words.get("cafe").map(String::as_str), Some("cafe"));
        assert_eq!(
            analysed.words.get("zoning").map(String::as_str),
            Some("zone")
        );
        assert_eq!(analysed.terms["rule"].per_field[TITLE], 1);
        assert!(stemmer_for("xx").is_none());
    }

    #[test]
    fn splits_sections_at_headings() {
        let runs =
            runs("<p>Intro &amp; more</p><h2 id=\"costs\">The <em>costs</em></h2><p>Money</p>");
        assert_eq!(runs[0], Run::Text("Intro & more".into()));
        assert_eq!(
            runs[1],
            Run::Heading {
                anchor: "costs".into(),
                title: "The costs".into()
            }
        );
        assert_eq!(runs[2], Run::Text("Money".into()));
    }
}

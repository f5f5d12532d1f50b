//! How to cite a brief: the formatted reference in the site's CSL style (hayagriva), and the
//! `cite.bib` (BibTeX, through the biblatex crate) and `cite.ris` files beside its page.
//!
//! Every format is made from one `Reference`, so they always agree. The CSL style is the one
//! named by `[citation] style` in site.toml; styles are decoded once per process and shared.

use crate::cache::Key;
use crate::markdown::csl::{BriefEntry, locales, style_for, write_html};
use crate::site::{Brief, Site};
use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{IndependentStyle, LocaleCode};
use hayagriva::types::Person;
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Entry};

/// What a brief is, as reference managers and citation styles need it.
#[derive(Hash)]
pub struct Reference<'a> {
    /// The cite key: the brief's slug.
    pub key: &'a str,
    pub title: &'a str,
    /// The subtitle, cited after the title as "Title: Subtitle".
    pub subtitle: Option<&'a str>,
    pub authors: Vec<Name>,
    pub date: chrono::NaiveDate,
    /// The organisation (or, without one, the site's title).
    pub publisher: &'a str,
    /// The brief's label, such as "Policy Brief".
    pub kind: Option<&'a str>,
    /// The canonical (absolute) URL of the brief's page.
    pub url: String,
    pub doi: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub topics: Vec<&'a str>,
    pub language: &'a str,
}

/// A person's name in the parts citation styles put in different orders.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    pub given: String,
    /// A lowercase particle before the family name: "van", "de".
    pub prefix: String,
    pub family: String,
    /// "Jr.", "III".
    pub suffix: String,
}

impl<'a> Reference<'a> {
    pub fn new(site: &'a Site, brief: &'a Brief) -> Self {
        let config = &site.config;
        let doc = &brief.doc;
        Reference {
            key: &doc.slug,
            title: &doc.title,
            subtitle: doc.subtitle.as_deref(),
            authors: brief
                .authors
                .iter()
                .map(|&a| Name::parse(&site.authors[a].doc.name))
                .collect(),
            date: doc.date,
            publisher: config.organization.name.as_deref().unwrap_or(&config.title),
            kind: doc.kind.as_deref(),
            url: config.absolute_url(&brief.url),
            doi: doc.doi.as_deref(),
            summary: doc.summary.as_deref(),
            topics: brief
                .topics
                .iter()
                .map(|&t| site.topics[t].name.as_str())
                .collect(),
            language: &config.language,
        }
    }
}

impl Reference<'_> {
    /// The title a citation gives: the title and subtitle joined by a colon, as Chicago and
    /// APA join them (no colon after a title that ends in its own question or exclamation).
    pub fn full_title(&self) -> String {
        match self.subtitle.map(str::trim).filter(|s| !s.is_empty()) {
            None => self.title.to_string(),
            Some(sub) if self.title.ends_with(['?', '!', ':']) => format!("{} {sub}", self.title),
            Some(sub) => format!("{}: {sub}", self.title),
        }
    }
}

/// Suffixes that follow a family name rather than being one.
const NAME_SUFFIXES: &[&str] = &["Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"];

impl Name {
    /// Splits a name written "Given Family" (as author files write it): the last word is the
    /// family name, with any lowercase particles before it ("Ludwig van Beethoven") and a
    /// suffix after it ("Martin Luther King Jr."). A single word is a family name.
    pub fn parse(full: &str) -> Name {
        let mut words: Vec<&str> = full
            .split_whitespace()
            .map(|w| w.trim_end_matches(','))
            .collect();
        let mut suffix = String::new();
        if words.len() > 2 && NAME_SUFFIXES.contains(words.last().unwrap_or(&"")) {
            suffix = words.pop().unwrap_or_default().to_string();
        }
        let family = words.pop().unwrap_or_default().to_string();
        let mut prefix = Vec::new();
        while words.len() > 1
            && words
                .last()
                .is_some_and(|w| w.starts_with(char::is_lowercase))
        {
            prefix.insert(0, words.pop().unwrap_or_default());
        }
        Name {
            given: words.join(" "),
            prefix: prefix.join(" "),
            family,
            suffix,
        }
    }

    /// "Beethoven, Ludwig van" — family first, as BibTeX and RIS want it.
    fn inverted(&self) -> String {
        let mut family = self.family.clone();
        if !self.prefix.is_empty() {
            family = format!("{} {family}", self.prefix);
        }
        match (self.given.is_empty(), self.suffix.is_empty()) {
            (true, _) => family,
            (false, true) => format!("{family}, {}", self.given),
            (false, false) => format!("{family}, {}, {}", self.suffix, self.given),
        }
    }
}

/// The formatted citation of each brief of the site, for the build cache.
pub fn site_citations(site: &Site) -> Vec<(Key, String)> {
    let style = &site.config.citation.style;
    site.briefs
        .iter()
        .filter_map(|brief| {
            let key = Key::of((&Reference::new(site, brief), style));
            Some((key, site.formatted_citations.get(key)?))
        })
        .collect()
}

/// The brief's reference formatted in the CSL style `style` (a name hayagriva's archive knows;
/// site.toml's `[citation] style` is checked against it when read), as HTML; formatted once
/// per site (its memo starts with the citations the build cache kept).
pub fn formatted_citation(site: &Site, reference: &Reference<'_>, style: &str) -> String {
    let key = Key::of((reference, style));
    if let Some(html) = site.formatted_citations.get(key) {
        return html;
    }
    let Some(csl) = style_for(&site.config.citation, style, true) else {
        return String::new();
    };
    let html = format_citation(reference, csl);
    site.formatted_citations.insert(key, html.clone());
    html
}

fn format_citation(reference: &Reference<'_>, style: &IndependentStyle) -> String {
    let entry = hayagriva_entry(reference);
    let locales = locales(reference.language, style);
    let mut driver = BibliographyDriver::new();
    driver.citation(CitationRequest::from_items(
        vec![CitationItem::with_entry(&entry)],
        style,
        locales,
    ));
    let locale = Some(LocaleCode(reference.language.to_string()));
    let rendered = driver.finish(BibliographyRequest::new(style, locale, locales));
    // The reference-list form is what a reader copies; a style without a bibliography (a few
    // note styles) gives its note instead.
    let content = match rendered.bibliography {
        Some(bibliography) => bibliography
            .items
            .into_iter()
            .next()
            .map(|item| item.content),
        None => rendered.citations.into_iter().next().map(|c| c.citation),
    };
    let mut html = String::new();
    if let Some(content) = content {
        write_html(&content, &mut html);
    }
    html.trim().to_string()
}

/// The full name of the site's CSL style ("Chicago Manual of Style 18th edition (notes and
/// bibliography)", or the title of the site's own), or the name as given when unknown.
pub fn style_title(citation: &crate::config::CitationSettings) -> String {
    if let Some(own) = &citation.own_style {
        return own.title.clone();
    }
    let style = &citation.style;
    ArchivedStyle::by_name(style)
        .map_or_else(|| style.to_string(), |s| s.display_name().to_string())
}

fn hayagriva_entry(reference: &Reference<'_>) -> Entry {
    BriefEntry {
        key: reference.key,
        title: reference.full_title(),
        authors: reference
            .authors
            .iter()
            .map(|name| Person {
                name: name.family.clone(),
                given_name: (!name.given.is_empty()).then(|| name.given.clone()),
                prefix: (!name.prefix.is_empty()).then(|| name.prefix.clone()),
                suffix: (!name.suffix.is_empty()).then(|| name.suffix.clone()),
                comma_suffix: false,
                alias: None,
            })
            .collect(),
        date: reference.date,
        publisher: reference.publisher,
        kind: reference.kind,
        url: reference.url.parse().ok(),
        doi: reference.doi,
    }
    .entry()
}

/// The reference as a BibTeX `@techreport`, written by the biblatex crate (which escapes
/// TeX's special characters). The title is braced so styles keep its capitals.
pub fn bibtex(reference: &Reference<'_>) -> String {
    use biblatex::{Chunk, Spanned};
    let normal = |text: &str| vec![Spanned::detached(Chunk::Normal(text.to_string()))];
    let mut entry = biblatex::Entry::new(reference.key.to_string(), biblatex::EntryType::Report);
    entry.set(
        "title",
        vec![Spanned::detached(Chunk::Verbatim(reference.full_title()))],
    );
    let authors: Vec<biblatex::Person> = reference
        .authors
        .iter()
        .map(|name| biblatex::Person {
            name: name.family.clone(),
            given_name: name.given.clone(),
            prefix: name.prefix.clone(),
            suffix: name.suffix.clone(),
            id: None,
            prefix_initials: None,
            given_initials: None,
            use_prefix: None,
        })
        .collect();
    if !authors.is_empty() {
        entry.set_as("author", &authors);
    }
    entry.set(
        "date",
        normal(&reference.date.format("%Y-%m-%d").to_string()),
    );
    entry.set("institution", normal(reference.publisher));
    if let Some(kind) = reference.kind {
        entry.set("type", normal(kind));
    }
    entry.set("url", normal(&reference.url));
    if let Some(doi) = reference.doi {
        entry.set("doi", normal(doi));
    }
    if let Some(summary) = reference.summary {
        entry.set("abstract", normal(summary));
    }
    if !reference.topics.is_empty() {
        entry.set("keywords", normal(&reference.topics.join(", ")));
    }
    entry.set("language", normal(reference.language));
    // The date is always well formed (front matter dates are checked), so this cannot fail;
    // BibLaTeX's form is the fallback all the same.
    let text = entry
        .to_bibtex_string()
        .unwrap_or_else(|_| entry.to_biblatex_string());
    format!("{}\n", bibtex_date_fields(&text, reference.date))
}

/// The biblatex crate writes the date as `month = {06}` and `day = {03}`: BibTeX styles want the
/// month as its three-letter macro (`month = jun`, so each style spells it), and `day` is no
/// BibTeX field, so the full date goes in biblatex's `date = {2025-06-03}` instead.
fn bibtex_date_fields(text: &str, date: chrono::NaiveDate) -> String {
    let month = format!("month = {{{}}},", date.format("%m"));
    let day = format!("day = {{{}}},", date.format("%d"));
    text.lines()
        .map(|line| {
            if line == month {
                format!("month = {},", date.format("%b").to_string().to_lowercase())
            } else if line == day {
                format!("date = {{{}}},", date.format("%Y-%m-%d"))
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reference as RIS (`TY  - RPRT` … `ER  - `), lines ended CR LF as the format's spec
/// has them. Written by hand: RIS is a line per tag, and no maintained crate writes it.
pub fn ris(reference: &Reference<'_>) -> String {
    let mut lines: Vec<(&str, String)> = vec![("TY", "RPRT".into())];
    lines.push(("TI", reference.full_title()));
    for name in &reference.authors {
        lines.push(("AU", name.inverted()));
    }
    lines.push(("PY", reference.date.format("%Y").to_string()));
    lines.push(("DA", reference.date.format("%Y/%m/%d").to_string()));
    lines.push(("PB", reference.publisher.into()));
    if let Some(kind) = reference.kind {
        lines.push(("M3", kind.into()));
    }
    lines.push(("UR", reference.url.clone()));
    if let Some(doi) = reference.doi {
        lines.push(("DO", doi.into()));
    }
    if let Some(summary) = reference.summary {
        lines.push(("AB", summary.into()));
    }
    for topic in &reference.topics {
        lines.push(("KW", (*topic).into()));
    }
    lines.push(("LA", reference.language.into()));
    let mut out = String::new();
    for (tag, value) in lines {
        // A value is one line: line breaks inside it would start a line without a tag.
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!("{tag}  - {value}\r\n"));
    }
    out.push_str("ER  - \r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Reference<'static> {
        Reference {
            key: "heat-pumps",
            title: "Warmer Homes & <Lower> Bills",
            subtitle: Some("Getting the rollout back on track"),
            authors: vec![
                Name::parse("Amara Okafor"),
                Name::parse("Ludwig van Beethoven"),
            ],
            date: chrono::NaiveDate::from_ymd_opt(2025, 3, 18).unwrap(),
            publisher: "Meridian Institute",
            kind: Some("Policy Brief"),
            url: "https://briefs.example.org/briefs/heat-pumps/".into(),
            doi: Some("10.5281/meridian.2025.0142"),
            summary: Some("Installations lag.\nGrants are not the barrier."),
            topics: vec!["Energy", "Housing"],
            language: "en",
        }
    }

    #[test]
    fn names_split_into_given_prefix_family_and_suffix() {
        let beethoven = Name::parse("Ludwig van Beethoven");
        assert_eq!(
            (
                beethoven.given.as_str(),
                beethoven.prefix.as_str(),
                beethoven.family.as_str()
            ),
            ("Ludwig", "van", "Beethoven")
        );
        assert_eq!(
            Name::parse("Martin Luther King Jr.").inverted(),
            "King, Jr., Martin Luther"
        );
        assert_eq!(Name::parse("Plato").inverted(), "Plato");
        assert_eq!(beethoven.inverted(), "van Beethoven, Ludwig");
    }

    #[test]
    fn chicago_notes_formats_the_reference_list_entry_as_escaped_html() {
        let html = format_citation(
            &reference(),
            crate::markdown::csl::cached_style("chicago-notes", true).unwrap(),
        );
        assert!(
            html.starts_with("Okafor, Amara, and Ludwig van Beethoven."),
            "{html}"
        );
        assert!(html.contains("<i>Warmer Homes &amp; &lt;"), "{html}");
        assert!(
            html.contains("Policy Brief. Meridian Institute, 2025."),
            "{html}"
        );
        assert!(html.contains("Meridian Institute"), "{html}");
        assert!(html.contains("2025"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    /// The reference in every shape a brief's can take: with and without a subtitle, a
    /// label, a DOI, and with no, one, two and five authors.
    fn shapes() -> Vec<Reference<'static>> {
        let mut shapes = vec![reference()];
        let mut bare = reference();
        (bare.subtitle, bare.kind, bare.doi, bare.summary) = (None, None, None, None);
        bare.title = "Who Pays for the Grid?";
        shapes.push(bare);
        for count in [0, 1, 5] {
            let mut shape = reference();
            shape.authors = [
                "Amara Okafor",
                "Martin Luther King Jr.",
                "Plato",
                "Ana de la Cruz",
                "Li Wei",
            ]
            .iter()
            .take(count)
            .map(|name| Name::parse(name))
            .collect();
            shape.doi = (count != 1).then_some("10.5281/meridian.2025.0142");
            shapes.push(shape);
        }
        shapes
    }

    /// Deciding the tests every brief answers alike changes no reference, in any style
    /// hayagriva bundles.
    #[test]
    fn every_bundled_style_formats_every_shape_as_it_did_before_its_tests_were_decided() {
        use crate::markdown::csl::{reference_list, trimmed};
        use hayagriva::citationberg::Style;
        let (mut compared, mut decided) = (0, 0);
        for archived in ArchivedStyle::all() {
            let Style::Independent(style) = archived.get() else {
                continue;
            };
            let before = trimmed(&style);
            let after = reference_list(&style);
            decided += usize::from(before != after);
            for shape in shapes() {
                assert_eq!(
                    format_citation(&shape, &after),
                    format_citation(&shape, &before),
                    "{}",
                    archived.display_name()
                );
                compared += 1;
            }
        }
        assert!(compared > 300, "compared {compared}");
        assert!(decided > 50, "type tests decided in {decided} styles");
    }

    #[test]
    fn an_author_date_style_puts_the_year_after_the_authors() {
        let html = format_citation(
            &reference(),
            crate::markdown::csl::cached_style("apa", true).unwrap(),
        );
        assert!(
            html.starts_with("Okafor, A., &amp; Beethoven, L. van. (2025)."),
            "{html}"
        );
    }

    #[test]
    fn bibtex_is_a_techreport_with_escaped_fields() {
        let bib = bibtex(&reference());
        assert!(bib.starts_with("@techreport{heat-pumps,\n"), "{bib}");
        assert!(
            bib.contains(
                "title = {{Warmer Homes \\& <Lower> Bills: Getting the rollout back on track}}"
            ),
            "{bib}"
        );
        assert!(bib.contains("year = {2025}"), "{bib}");
        assert!(bib.contains("\nmonth = mar,\n"), "{bib}");
        assert!(bib.contains("\ndate = {2025-03-18},\n"), "{bib}");
        assert!(!bib.contains("day = "), "{bib}");
        assert!(bib.contains("doi = {10.5281/meridian.2025.0142}"), "{bib}");
    }

    #[test]
    fn ris_lines_are_tagged_and_one_value_each() {
        let ris = ris(&reference());
        let lines: Vec<&str> = ris.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], "TY  - RPRT");
        assert_eq!(*lines.last().unwrap(), "ER  - ");
        assert!(lines.contains(&"AU  - van Beethoven, Ludwig"));
        assert!(lines.contains(&"AB  - Installations lag. Grants are not the barrier."));
        assert!(lines.contains(&"DA  - 2025/03/18"));
        assert!(
            lines
                .contains(&"TI  - Warmer Homes & <Lower> Bills: Getting the rollout back on track")
        );
    }
}

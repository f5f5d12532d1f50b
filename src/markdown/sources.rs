//! Sources: every external URL a text cites, each listed once with the places that cite it.

use super::escape;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One external URL and every place in the brief that cites it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Source {
    pub url: String,
    /// The host, without a leading `www.`.
    pub domain: String,
    /// The id of this source's entry in the Sources list.
    pub id: String,
    /// What the brief calls it: the text of the first link to it that is more than its URL
    /// (a note's "General Practice Workforce, 30 June 2025"); empty when every link shows the URL.
    #[serde(default)]
    pub name: String,
    pub citations: Vec<Citation>,
}

/// One citing link: its element id in the page and where it is, for a reader.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Citation {
    pub id: String,
    pub label: String,
}

/// Collects sources in order of first citation.
pub(super) struct SourceList {
    id_prefix: String,
    sources: Vec<Source>,
    by_url: HashMap<String, usize>,
    citations: usize,
    /// Where in the page citations made now are: 0 the body, N note N, `usize::MAX` the
    /// References list. Citations formatted after the walk (a bibliography's) are cited out of
    /// reading order; the list is put back in it by the rank of each source's first place.
    rank: usize,
    /// The rank of each source's first citation, by index.
    ranks: Vec<usize>,
    /// The source whose link is open, and the link's text so far (its name, see `Source::name`).
    naming: Option<(usize, String)>,
}

impl SourceList {
    pub fn new(id_prefix: &str) -> Self {
        SourceList {
            id_prefix: id_prefix.to_string(),
            sources: Vec::new(),
            by_url: HashMap::new(),
            citations: 0,
            rank: 0,
            ranks: Vec::new(),
            naming: None,
        }
    }

    pub fn id_prefix(&self) -> &str {
        &self.id_prefix
    }

    /// Sets where the citations made from now on are (see `rank`).
    pub fn set_rank(&mut self, rank: usize) {
        self.rank = rank;
    }

    /// Records a citation of `url` at `place`; returns the id the citing link gets.
    pub fn cite(&mut self, url: &str, place: &str) -> String {
        self.citations += 1;
        let id = format!("{}cite-{}", self.id_prefix, self.citations);
        let index = *self.by_url.entry(url.to_string()).or_insert_with(|| {
            self.sources.push(Source {
                url: url.to_string(),
                domain: domain(url),
                id: format!("{}src-{}", self.id_prefix, self.sources.len() + 1),
                name: String::new(),
                citations: Vec::new(),
            });
            self.ranks.push(self.rank);
            self.sources.len() - 1
        });
        self.ranks[index] = self.ranks[index].min(self.rank);
        self.naming = Some((index, String::new()));
        self.sources[index].citations.push(Citation {
            id: id.clone(),
            label: place.to_string(),
        });
        id
    }

    /// Adds text read inside the open citing link to its name.
    pub fn name_text(&mut self, text: &str) {
        if let Some((_, name)) = &mut self.naming {
            name.push_str(text);
        }
    }

    /// Closes the citing link: its text names the source unless a link before named it, or
    /// the text only repeats an address.
    pub fn end_link(&mut self) {
        let Some((index, text)) = self.naming.take() else {
            return;
        };
        let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let source = &mut self.sources[index];
        let looks_like_address =
            is_external(&name) || name.starts_with("www.") || name == source.domain;
        if source.name.is_empty() && name.chars().count() >= 3 && !looks_like_address {
            source.name = name;
        }
    }

    /// The sources in reading order of their first citation, numbered in that order.
    pub fn into_list(self) -> Vec<Source> {
        let mut sources = self.sources;
        if self.ranks.windows(2).any(|pair| pair[0] > pair[1]) {
            let mut ranked: Vec<(usize, Source)> = self.ranks.into_iter().zip(sources).collect();
            ranked.sort_by_key(|(rank, _)| *rank);
            sources = ranked.into_iter().map(|(_, source)| source).collect();
            for (i, source) in sources.iter_mut().enumerate() {
                source.id = format!("{}src-{}", self.id_prefix, i + 1);
            }
        }
        sources
    }
}

/// Whether a link goes outside the site: an absolute http or https URL.
pub(super) fn is_external(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn domain(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .map(|host| host.trim_start_matches("www.").to_string())
        .unwrap_or_default()
}

/// The opening tag of a cited link.
pub(super) fn open_link(url: &str, title: &str, id: &str) -> String {
    let mut href = String::new();
    pulldown_cmark_escape::escape_href(&mut href, url).expect("writing to a String");
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(r#" title="{}""#, escape(title))
    };
    // `escape_href` already writes `&` as `&amp;` and percent-encodes quotes and angle
    // brackets: escaping again would turn `?a=1&b=2` into a broken `?a=1&amp;amp;b=2`.
    format!(r#"<a href="{href}" id="{id}" class="ext"{title}>"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_cited_twice_is_one_source_with_two_citations() {
        let mut list = SourceList::new("b-");
        let first = list.cite("https://www.ons.gov.uk/a", "Introduction");
        list.cite("https://example.org/", "Note 1");
        let again = list.cite("https://www.ons.gov.uk/a", "Note 2");
        let sources = list.into_list();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[0].domain, "ons.gov.uk");
        let ids: Vec<_> = sources[0].citations.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, [first.as_str(), again.as_str()]);
        assert_eq!(sources[0].citations[1].label, "Note 2");
    }

    #[test]
    fn a_cited_link_with_an_ampersand_keeps_one_escape() {
        let html = open_link("https://x.org/q?a=1&b=\"2\"", "", "c-1");
        assert_eq!(
            html,
            r#"<a href="https://x.org/q?a=1&amp;b=%222%22" id="c-1" class="ext">"#
        );
    }

    #[test]
    fn a_source_is_named_by_the_first_link_text_that_is_not_its_address() {
        let mut list = SourceList::new("b-");
        list.cite("https://www.ons.gov.uk/a", "Introduction");
        list.name_text("https://www.ons.gov.uk/a");
        list.end_link();
        list.cite("https://www.ons.gov.uk/a", "Note 1");
        list.name_text("Labour market ");
        list.name_text("overview");
        list.end_link();
        list.cite("https://www.ons.gov.uk/a", "Note 2");
        list.name_text("the ONS");
        list.end_link();
        list.cite("https://example.org/", "Note 3");
        list.name_text("example.org");
        list.end_link();
        let sources = list.into_list();
        assert_eq!(sources[0].name, "Labour market overview");
        assert_eq!(
            sources[1].name, "",
            "a link showing its domain names nothing"
        );
    }

    #[test]
    fn only_http_urls_are_external() {
        assert!(is_external("HTTPS://x.org"));
        assert!(!is_external("/briefs/a/"));
        assert!(!is_external("mailto:a@b.org"));
        assert!(!is_external("javascript:alert(1)"));
    }
}

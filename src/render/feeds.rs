//! Feeds and crawling: Atom feeds (the site's, and one per topic, term and author), the sitemap
//! and robots.txt, written with quick-xml. Every URL in them is absolute, from `base_url`.
//!
//! Nothing here reads the clock: a feed's `updated` is its newest entry's, so two builds of the
//! same content are byte-identical. Drafts are never listed, even in a build with `--drafts`.

use super::{Job, job_url};
use crate::site::{Brief, Site};
use chrono::NaiveDate;
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

/// Briefs in each Atom feed, newest first.
pub const FEED_ENTRIES: usize = 20;
/// URLs in one sitemap file, as the sitemaps protocol allows; more make a sitemap index.
pub const SITEMAP_URLS: usize = 50_000;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// Which Atom feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    Site,
    Topic(usize),
    Author(usize),
    /// A term of one of the site's taxonomies: the taxonomy's index, the term's.
    Term(usize, usize),
}

/// The feed's URL (with the site's root path): `/atom.xml`, `/topics/<slug>/atom.xml`,
/// `/authors/<slug>/atom.xml`, `/<taxonomy>/<slug>/atom.xml`.
pub fn feed_url(site: &Site, feed: Feed) -> String {
    match feed {
        Feed::Site => site.config.url("/atom.xml"),
        Feed::Topic(t) => format!("{}atom.xml", site.topics[t].url),
        Feed::Term(t, term) => format!("{}atom.xml", site.taxonomies[t].terms[term].url),
        Feed::Author(a) => format!("{}atom.xml", site.authors[a].url),
    }
}

/// The date a brief last changed: `updated`, else its publication date.
pub fn brief_lastmod(brief: &Brief) -> NaiveDate {
    brief.doc.updated.unwrap_or(brief.doc.date)
}

/// An Atom 1.0 feed (RFC 4287) of the newest published briefs it covers.
pub fn atom_feed(site: &Site, feed: Feed) -> Vec<u8> {
    let config = &site.config;
    let (title, subtitle, page, briefs): (String, Option<String>, String, Vec<usize>) = match feed {
        Feed::Site => (
            config.title.clone(),
            config.description.clone(),
            config.url("/"),
            (0..site.briefs.len()).collect(),
        ),
        Feed::Topic(t) => {
            let topic = &site.topics[t];
            (
                format!("{} — {}", topic.name, config.title),
                Some(format!("Briefs on {}", topic.name)),
                topic.url.clone(),
                topic.briefs.clone(),
            )
        }
        Feed::Term(t, term) => {
            let taxonomy = &site.taxonomies[t];
            let term = &taxonomy.terms[term];
            (
                format!("{} — {}", term.name, config.title),
                Some(format!("Briefs in {}: {}", taxonomy.name, term.name)),
                term.url.clone(),
                term.briefs.clone(),
            )
        }
        Feed::Author(a) => {
            let author = &site.authors[a];
            (
                format!("{} — {}", author.doc.name, config.title),
                Some(format!("Briefs by {}", author.doc.name)),
                author.url.clone(),
                author.briefs.clone(),
            )
        }
    };
    let entries: Vec<&Brief> = briefs
        .iter()
        .map(|&b| &site.briefs[b])
        .filter(|b| !b.doc.draft)
        .take(FEED_ENTRIES)
        .collect();
    // An empty feed has never been updated; the epoch says so without reading the clock.
    let updated = entries
        .iter()
        .map(|b| brief_lastmod(b))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), timestamp);
    let self_url = config.absolute_url(&feed_url(site, feed));
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written: io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
        w.create_element("feed")
            .with_attributes([("xmlns", ATOM_NS), ("xml:lang", config.language.as_str())])
            .write_inner_content(|w| {
                text_element(w, "title", &title)?;
                if let Some(subtitle) = &subtitle {
                    text_element(w, "subtitle", subtitle)?;
                }
                link(w, &self_url, "self", "application/atom+xml")?;
                link(w, &config.absolute_url(&page), "alternate", "text/html")?;
                text_element(w, "id", &self_url)?;
                text_element(w, "updated", &updated)?;
                text_element(w, "generator", "folio")?;
                for brief in &entries {
                    atom_entry(w, site, brief)?;
                }
                Ok(())
            })?;
        Ok(())
    })();
    finish(w, written)
}

fn atom_entry(w: &mut Writer<Vec<u8>>, site: &Site, brief: &Brief) -> io::Result<()> {
    let config = &site.config;
    let doc = &brief.doc;
    let url = config.absolute_url(&brief.url);
    w.create_element("entry").write_inner_content(|w| {
        text_element(w, "title", &doc.title)?;
        link(w, &url, "alternate", "text/html")?;
        if let Some(pdf) = &brief.pdf {
            let href = super::metadata::Addresses::new(site, brief).pdf;
            let length = pdf.bytes.map(|b| b.to_string());
            let mut attributes = vec![
                ("rel", "enclosure"),
                ("type", "application/pdf"),
                ("href", href.as_deref().unwrap_or(&pdf.href)),
            ];
            if let Some(length) = &length {
                attributes.push(("length", length));
            }
            w.create_element("link")
                .with_attributes(attributes)
                .write_empty()?;
        }
        text_element(w, "id", &url)?;
        text_element(w, "published", &timestamp(doc.date))?;
        text_element(w, "updated", &timestamp(brief_lastmod(brief)))?;
        for &a in &brief.authors {
            let author = &site.authors[a];
            w.create_element("author").write_inner_content(|w| {
                text_element(w, "name", &author.doc.name)?;
                text_element(w, "uri", &config.absolute_url(&author.url))?;
                Ok(())
            })?;
        }
        for &t in &brief.topics {
            let topic = &site.topics[t];
            w.create_element("category")
                .with_attributes([
                    ("term", topic.slug.as_str()),
                    ("label", xml_text(&topic.name).as_str()),
                ])
                .write_empty()?;
        }
        for (taxonomy, terms) in site.taxonomies.iter().zip(&brief.terms) {
            let scheme = config.absolute_url(&taxonomy.url);
            for &term in terms {
                let term = &taxonomy.terms[term];
                w.create_element("category")
                    .with_attributes([
                        ("term", term.slug.as_str()),
                        ("scheme", scheme.as_str()),
                        ("label", xml_text(&term.name).as_str()),
                    ])
                    .write_empty()?;
            }
        }
        if let Some(summary) = doc.summary.as_deref().or(doc.subtitle.as_deref()) {
            w.create_element("summary")
                .with_attribute(("type", "text"))
                .write_text_content(escaped_text(summary))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The pages a sitemap lists, with the date each last changed where one is known: every page
/// of `jobs` but the 404 page and draft briefs.
pub fn sitemap_entries(site: &Site, jobs: &[Job]) -> Vec<(String, Option<NaiveDate>)> {
    jobs.iter()
        .filter(|&&job| in_sitemap(site, job))
        .map(|&job| {
            let url = site.config.absolute_url(&job_url(site, job));
            (url, lastmod(site, job))
        })
        .collect()
}

/// Whether a job's page is listed in the sitemap.
pub fn in_sitemap(site: &Site, job: Job) -> bool {
    match job {
        Job::Brief(b) => !site.briefs[b].doc.draft,
        // The search page is a tool, not content, and the not-found page is not a page.
        other => other.is_page() && !matches!(other, Job::NotFound | Job::Search),
    }
}

/// When a page last changed: a brief's `updated` or date; for a page of a list, the newest
/// brief from the top of the list to the end of that page (a new brief shifts every page).
/// Standalone pages carry no date, so none is claimed.
fn lastmod(site: &Site, job: Job) -> Option<NaiveDate> {
    let per = site.config.paginate;
    let newest = |briefs: &mut dyn Iterator<Item = usize>| {
        briefs.map(|b| brief_lastmod(&site.briefs[b])).max()
    };
    let all = || newest(&mut (0..site.briefs.len()));
    let sources = || site.sources.domains.iter().map(|d| d.last_cited).max();
    match job {
        Job::Home { page } => newest(&mut (0..site.briefs.len()).take(page * per)),
        Job::Brief(b) => Some(brief_lastmod(&site.briefs[b])),
        Job::Authors | Job::Topics | Job::Taxonomy(_) => all(),
        Job::Author { index, page } => {
            newest(&mut site.authors[index].briefs.iter().copied().take(page * per))
        }
        Job::Topic { index, page } => {
            newest(&mut site.topics[index].briefs.iter().copied().take(page * per))
        }
        Job::Term {
            taxonomy,
            index,
            page,
        } => {
            let briefs = &site.taxonomies[taxonomy].terms[index].briefs;
            newest(&mut briefs.iter().copied().take(page * per))
        }
        Job::Sources { .. } => sources(),
        Job::SourceDomain { index, .. } => Some(site.sources.domains[index].last_cited),
        _ => None,
    }
}

/// How many sitemap files `entries` need besides `sitemap.xml` (0 when it holds them all).
pub fn sitemap_parts(entries: usize) -> usize {
    if entries <= SITEMAP_URLS {
        0
    } else {
        entries.div_ceil(SITEMAP_URLS)
    }
}

/// The URL of sitemap file `part`: 0 is `/sitemap.xml`, others `/sitemap-<part>.xml`.
pub fn sitemap_url(site: &Site, part: usize) -> String {
    match part {
        0 => site.config.url("/sitemap.xml"),
        n => site.config.url(&format!("/sitemap-{n}.xml")),
    }
}

/// Sitemap file `part` (sitemaps.org protocol 0.9): the whole list in `sitemap.xml`, or, past
/// `SITEMAP_URLS` entries, an index in `sitemap.xml` and the list split over `sitemap-N.xml`.
pub fn sitemap(site: &Site, entries: &[(String, Option<NaiveDate>)], part: usize) -> Vec<u8> {
    let parts = sitemap_parts(entries.len());
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written: io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
        if part == 0 && parts > 0 {
            w.create_element("sitemapindex")
                .with_attribute(("xmlns", SITEMAP_NS))
                .write_inner_content(|w| {
                    for (n, chunk) in entries.chunks(SITEMAP_URLS).enumerate() {
                        let url = site.config.absolute_url(&sitemap_url(site, n + 1));
                        let newest = chunk.iter().filter_map(|(_, date)| *date).max();
                        url_element(w, "sitemap", &url, newest)?;
                    }
                    Ok(())
                })?;
            return Ok(());
        }
        let chunk = match part {
            0 => entries,
            n => entries.chunks(SITEMAP_URLS).nth(n - 1).unwrap_or(&[]),
        };
        w.create_element("urlset")
            .with_attribute(("xmlns", SITEMAP_NS))
            .write_inner_content(|w| {
                for (url, date) in chunk {
                    url_element(w, "url", url, *date)?;
                }
                Ok(())
            })?;
        Ok(())
    })();
    finish(w, written)
}

fn url_element(
    w: &mut Writer<Vec<u8>>,
    name: &str,
    url: &str,
    lastmod: Option<NaiveDate>,
) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        text_element(w, "loc", url)?;
        if let Some(date) = lastmod {
            text_element(w, "lastmod", &date.format("%Y-%m-%d").to_string())?;
        }
        Ok(())
    })?;
    Ok(())
}

/// robots.txt: everything may be crawled, and this is where the sitemap is. (Crawlers read
/// robots.txt only at a host's root, so a site under a path prefix should copy this there.)
pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        site.config.absolute_url(&sitemap_url(site, 0))
    )
}

fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(escaped_text(text))?;
    Ok(())
}

/// Element text with `<`, `>` and `&` escaped (quotes need no escaping outside attributes).
fn escaped_text(text: &str) -> BytesText<'static> {
    BytesText::from_escaped(partial_escape(xml_text(text)).into_owned())
}

fn link(w: &mut Writer<Vec<u8>>, href: &str, rel: &str, kind: &str) -> io::Result<()> {
    w.create_element("link")
        .with_attributes([("href", href), ("rel", rel), ("type", kind)])
        .write_empty()?;
    Ok(())
}

/// Text without the control characters XML 1.0 cannot carry (YAML can write them as escapes).
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// A date as an RFC 3339 timestamp at midnight UTC, as Atom wants.
fn timestamp(date: NaiveDate) -> String {
    date.format("%Y-%m-%dT00:00:00Z").to_string()
}

fn finish(w: Writer<Vec<u8>>, written: io::Result<()>) -> Vec<u8> {
    // Writing into a Vec cannot fail.
    debug_assert!(written.is_ok());
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemaps_split_only_past_the_protocol_limit() {
        assert_eq!(sitemap_parts(0), 0);
        assert_eq!(sitemap_parts(SITEMAP_URLS), 0);
        assert_eq!(sitemap_parts(SITEMAP_URLS + 1), 2);
    }

    #[test]
    fn control_characters_are_dropped_from_xml_text() {
        assert_eq!(xml_text("a\u{1}b\tc\u{7f}"), "ab\tc");
    }
}

//! The sources index: every URL the site's briefs cite, grouped by domain, most-cited first, and
//! split into pages of bounded size so that no page grows with the archive.
//!
//! A source is counted once per brief that cites it ("cited in 3 briefs"), however many times
//! that brief links it; a domain's count is the sum of its sources' counts.

use super::Brief;
use crate::config::Config;
use chrono::NaiveDate;
use rayon::prelude::*;
use siphasher::sip::SipHasher13;
use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::ops::Range;

/// Domains listed on one page of `/sources/`.
pub const DOMAINS_PER_PAGE: usize = 200;
/// Sources listed on one page of a domain's listing.
pub const SOURCES_PER_PAGE: usize = 200;
/// A page of a domain's listing also stops before it would name more citing briefs than this
/// (a source cited by more briefs than this fills a page of its own).
pub const CITING_BRIEFS_PER_PAGE: usize = 1000;

/// Every cited URL, by domain.
#[derive(Debug, Default)]
pub struct SourcesIndex {
    /// Most-cited first, then by name.
    pub domains: Vec<Domain>,
    /// Distinct URLs over all domains.
    pub source_count: usize,
    /// (brief, URL) pairs over all domains.
    pub citation_count: usize,
}

/// One host (without `www.`) and the URLs on it that briefs cite.
#[derive(Debug)]
pub struct Domain {
    pub name: String,
    /// Unique among domains; `ons.gov.uk` → `ons-gov-uk`.
    pub slug: String,
    /// `/sources/<slug>/`, with the site's root path.
    pub url: String,
    /// Most-cited first, then by URL.
    pub sources: Vec<IndexedSource>,
    /// The sources on each page of the domain's listing.
    pub pages: Vec<Range<usize>>,
    /// Distinct briefs citing any URL on the domain.
    pub brief_count: usize,
    /// (brief, URL) pairs: the sum of the sources' brief counts.
    pub citation_count: usize,
    /// The newest date (updated, else published) of a brief citing the domain.
    pub last_cited: NaiveDate,
}

/// One URL and the briefs that cite it.
#[derive(Debug)]
pub struct IndexedSource {
    pub url: String,
    /// The entry's element id on its domain page: stable for a URL across builds.
    pub id: String,
    /// The page (1-based) of the domain's listing that lists it.
    pub page: usize,
    /// Newest brief first: (index into `Site::briefs`, index into that brief's sources).
    pub citing: Vec<(usize, usize)>,
}

/// Where one of a brief's sources is listed in the index.
#[derive(Debug, Clone)]
pub struct SourceRef {
    /// `/sources/<slug>/[page/N/]#<id>`, with the site's root path.
    pub index_url: String,
    /// How many briefs cite the URL, this one included.
    pub brief_count: usize,
    /// The domain's place in `SourcesIndex::domains`, and the page (1-based) of its listing
    /// that lists the URL.
    pub domain: usize,
    pub page: usize,
}

impl SourcesIndex {
    /// How many pages the domain index has.
    pub fn page_count(&self) -> usize {
        self.domains.len().div_ceil(DOMAINS_PER_PAGE).max(1)
    }

    /// The domains on page `page` (1-based) of the index.
    pub fn domains_on_page(&self, page: usize) -> &[Domain] {
        let start = ((page - 1) * DOMAINS_PER_PAGE).min(self.domains.len());
        let end = (start + DOMAINS_PER_PAGE).min(self.domains.len());
        &self.domains[start..end]
    }
}

/// Builds the index over `briefs` (already filtered for drafts), and for each brief the place
/// of each of its sources in the index, in the order of the brief's Sources list.
pub fn index_sources(config: &Config, briefs: &[Brief]) -> (SourcesIndex, Vec<Vec<SourceRef>>) {
    // Each domain's citations in the briefs' order (newest first): the URLs are then gathered
    // domain by domain, side by side (at 10,000 briefs, ~258,000 citations of ~250,000 URLs).
    let mut by_domain: HashMap<&str, Vec<(usize, usize)>, foldhash::fast::RandomState> =
        HashMap::default();
    for (b, brief) in briefs.iter().enumerate() {
        for (s, source) in brief.doc.body.sources.iter().enumerate() {
            by_domain.entry(&source.domain).or_default().push((b, s));
        }
    }
    let mut by_domain: Vec<(&str, Vec<(usize, usize)>)> = by_domain.into_iter().collect();
    by_domain.sort_unstable_by_key(|&(name, _)| name);
    let slugs = domain_slugs(by_domain.iter().map(|&(name, _)| name));
    let lastmod = |b: usize| briefs[b].doc.updated.unwrap_or(briefs[b].doc.date);
    let mut domains: Vec<Domain> = by_domain
        .into_par_iter()
        .zip(slugs)
        .map(|((name, citations), slug)| {
            let members = cited_urls(briefs, citations);
            domain(config, name, members, slug, &lastmod)
        })
        .collect();
    domains.sort_by(|a, b| {
        b.citation_count
            .cmp(&a.citation_count)
            .then_with(|| a.name.cmp(&b.name))
    });

    let refs = places_in_index(briefs, &domains);
    let index = SourcesIndex {
        source_count: domains.iter().map(|d| d.sources.len()).sum(),
        citation_count: domains.iter().map(|d| d.citation_count).sum(),
        domains,
    };
    (index, refs)
}

/// Each brief's sources' places in the index, found through the briefs citing each indexed
/// source rather than by looking its URL up. The places are made domain by domain on rayon's
/// threads (each formats its sources' addresses: ~0.1 s on one thread at 10,000 briefs), then
/// put in the briefs' lists.
fn places_in_index(briefs: &[Brief], domains: &[Domain]) -> Vec<Vec<SourceRef>> {
    let unplaced = SourceRef {
        index_url: String::new(),
        brief_count: 0,
        domain: 0,
        page: 0,
    };
    let mut refs: Vec<Vec<SourceRef>> = briefs
        .iter()
        .map(|brief| vec![unplaced.clone(); brief.doc.body.sources.len()])
        .collect();
    let placed: Vec<Vec<(usize, usize, SourceRef)>> = domains
        .par_iter()
        .enumerate()
        .map(|(place, domain)| domain_places(place, domain))
        .collect();
    for (brief, at, source_ref) in placed.into_iter().flatten() {
        refs[brief][at] = source_ref;
    }
    refs
}

/// The place of each citation of a source of `domain` (the `place`-th): the citing brief, the
/// source's place in that brief's list, and where the index lists it.
fn domain_places(place: usize, domain: &Domain) -> Vec<(usize, usize, SourceRef)> {
    let mut places = Vec::new();
    for source in &domain.sources {
        let index_url = format!(
            "{}#{}",
            super::page_url(&domain.url, source.page),
            source.id
        );
        for &(brief, at) in &source.citing {
            let source_ref = SourceRef {
                index_url: index_url.clone(),
                brief_count: source.citing.len(),
                domain: place,
                page: source.page,
            };
            places.push((brief, at, source_ref));
        }
    }
    places
}

/// One domain's entry: its sources given ids, sorted most-cited first and paginated.
fn domain(
    config: &Config,
    name: &str,
    members: Vec<Cited<'_>>,
    slug: String,
    lastmod: &(dyn Fn(usize) -> NaiveDate + Sync),
) -> Domain {
    let mut sources: Vec<IndexedSource> = members
        .into_iter()
        .map(|cited| IndexedSource {
            url: cited.url.to_string(),
            id: String::new(),
            page: 0,
            citing: cited.citing,
        })
        .collect();
    assign_ids(&mut sources);
    sources.sort_by(|a, b| {
        b.citing
            .len()
            .cmp(&a.citing.len())
            .then_with(|| a.url.cmp(&b.url))
    });
    let pages = paginate(&sources);
    for (number, range) in pages.iter().enumerate() {
        for source in &mut sources[range.clone()] {
            source.page = number + 1;
        }
    }
    let mut citing_briefs: Vec<usize> = sources
        .iter()
        .flat_map(|s| s.citing.iter().map(|&(b, _)| b))
        .collect();
    citing_briefs.sort_unstable();
    citing_briefs.dedup();
    Domain {
        name: if name.is_empty() { "(no host)" } else { name }.to_string(),
        url: config.url(&format!("/sources/{slug}/")),
        slug,
        citation_count: sources.iter().map(|s| s.citing.len()).sum(),
        brief_count: citing_briefs.len(),
        last_cited: citing_briefs
            .iter()
            .map(|&b| lastmod(b))
            .max()
            .unwrap_or(NaiveDate::MIN),
        sources,
        pages,
    }
}

/// A URL while the index is gathered, and the (brief, source) citing it.
struct Cited<'a> {
    url: &'a str,
    citing: Vec<(usize, usize)>,
}

/// A domain's URLs, each with its citing briefs, in order of first citation, from its
/// `citations` (brief, source) in the briefs' order. std's SipHash made this loop a quarter of
/// the index's time; the URLs are the site's own, not a caller's to collide.
fn cited_urls(briefs: &[Brief], citations: Vec<(usize, usize)>) -> Vec<Cited<'_>> {
    let mut by_url: HashMap<&str, usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(citations.len(), Default::default());
    let mut urls: Vec<Cited<'_>> = Vec::with_capacity(citations.len());
    for (b, s) in citations {
        let url = briefs[b].doc.body.sources[s].url.as_str();
        let at = *by_url.entry(url).or_insert_with(|| {
            urls.push(Cited {
                url,
                citing: Vec::new(),
            });
            urls.len() - 1
        });
        urls[at].citing.push((b, s));
    }
    urls
}

/// A slug per domain, in the given (name) order: dots become hyphens, and a slug already taken
/// (`a-b.org` and `a.b-org`, or `page`, which listing pages use) gets `-2`, `-3`…
fn domain_slugs<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::from(["page".to_string()]);
    names
        .map(|name| {
            let base = slug::slugify(name);
            let base = if base.is_empty() {
                "unknown".to_string()
            } else {
                base
            };
            let mut slug = base.clone();
            let mut n = 1;
            while taken.contains(&slug) {
                n += 1;
                slug = format!("{base}-{n}");
            }
            taken.insert(slug.clone());
            slug
        })
        .collect()
}

/// Gives each source of a domain its element id: `s-` and 12 hex digits of a SipHash-1-3 of
/// the URL with fixed keys (so the id is the same in every build, on every machine, for as long
/// as the URL is cited). The siphasher crate pins the algorithm, where std's `DefaultHasher`
/// may change between Rust releases. Ids that collide within the domain get `-2`, `-3`… in URL
/// order: only the colliding sources are sorted, the rest (nearly all) keep their hash alone.
fn assign_ids(sources: &mut [IndexedSource]) {
    assign_ids_by(sources, |url| url_hash(url) >> 16);
}

/// `assign_ids` with the hash (of 48 bits) given: a test's may collide.
fn assign_ids_by(sources: &mut [IndexedSource], hash_of: impl Fn(&str) -> u64) {
    let hashes: Vec<u64> = sources.iter().map(|s| hash_of(&s.url)).collect();
    let mut sharing: HashMap<u64, Vec<usize>, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(sources.len(), Default::default());
    for (i, &hash) in hashes.iter().enumerate() {
        sharing.entry(hash).or_default().push(i);
    }
    for (hash, mut members) in sharing {
        members.sort_by(|&a, &b| sources[a].url.cmp(&sources[b].url));
        for (n, i) in members.into_iter().enumerate() {
            sources[i].id = match n {
                0 => format!("s-{hash:012x}"),
                n => format!("s-{hash:012x}-{}", n + 1),
            };
        }
    }
}

fn url_hash(url: &str) -> u64 {
    let mut hasher = SipHasher13::new_with_keys(0, 0);
    hasher.write(url.as_bytes());
    hasher.finish()
}

/// Splits a domain's sources into pages of at most `SOURCES_PER_PAGE` sources and, past the
/// first source of a page, at most `CITING_BRIEFS_PER_PAGE` citing briefs.
fn paginate(sources: &[IndexedSource]) -> Vec<Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut rows = 0;
    for (i, source) in sources.iter().enumerate() {
        let n = source.citing.len();
        let full = i - start == SOURCES_PER_PAGE || rows + n > CITING_BRIEFS_PER_PAGE;
        if i > start && full {
            pages.push(start..i);
            start = i;
            rows = 0;
        }
        rows += n;
    }
    pages.push(start..sources.len());
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(url: &str, citing: usize) -> IndexedSource {
        IndexedSource {
            url: url.to_string(),
            id: String::new(),
            page: 0,
            citing: (0..citing).map(|b| (b, 0)).collect(),
        }
    }

    #[test]
    fn ids_are_stable_hashes_of_the_url() {
        let mut sources = vec![
            source("https://ons.gov.uk/a", 1),
            source("https://ons.gov.uk/b", 1),
        ];
        assign_ids(&mut sources);
        assert_eq!(sources[0].id.len(), 14);
        assert!(sources[0].id.starts_with("s-"));
        assert_ne!(sources[0].id, sources[1].id);
        let mut again = vec![source("https://ons.gov.uk/b", 5)];
        assign_ids(&mut again);
        assert_eq!(
            again[0].id, sources[1].id,
            "the id depends on the URL alone"
        );
        // Pinned so that a change of hash (which would break links into the index) is noticed.
        assert_eq!(url_hash("https://example.org/"), 0x35e4_125d_3d01_9d47);
    }

    #[test]
    fn ids_that_collide_are_numbered_in_url_order() {
        let mut sources = vec![
            source("https://b.org/", 1),
            source("https://a.org/", 1),
            source("https://longer.org/", 1),
            source("https://c.org/", 1),
        ];
        assign_ids_by(&mut sources, |url| url.len() as u64);
        let ids: Vec<&str> = sources.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "s-00000000000e-2",
                "s-00000000000e",
                "s-000000000013",
                "s-00000000000e-3"
            ]
        );
    }

    #[test]
    fn domain_slugs_are_unique_and_avoid_page() {
        let slugs = domain_slugs(["a-b.org", "a.b-org", "page", "ons.gov.uk", ""].into_iter());
        assert_eq!(
            slugs,
            ["a-b-org", "a-b-org-2", "page-2", "ons-gov-uk", "unknown"]
        );
    }

    #[test]
    fn pages_hold_at_most_so_many_sources_and_citing_briefs() {
        let many: Vec<_> = (0..450).map(|i| source(&format!("u{i}"), 1)).collect();
        assert_eq!(paginate(&many), [0..200, 200..400, 400..450]);
        let heavy = vec![
            source("a", 1500),
            source("b", 600),
            source("c", 300),
            source("d", 200),
        ];
        assert_eq!(paginate(&heavy), [0..1, 1..3, 3..4]);
        let empty = paginate(&[]);
        assert!(empty.len() == 1 && empty[0].is_empty(), "one empty page");
    }
}

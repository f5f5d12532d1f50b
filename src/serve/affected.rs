//! Which pages an edit of some briefs changes, so that only those are rendered again.

use crate::render::{Feed, FileJob, Job, page_count};
use crate::site::BriefDoc;
use crate::site::{Brief, Site};
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

/// What the edited briefs touch, in their old and new versions.
#[derive(Default)]
pub(super) struct Edited {
    /// Their slugs, old and new.
    slugs: HashSet<String>,
    /// The domains they cite, old and new.
    domains: HashSet<String>,
}

impl Edited {
    pub(super) fn add(&mut self, brief: &BriefDoc) {
        self.slugs.insert(brief.slug.clone());
        for source in &brief.body.sources {
            self.domains.insert(source.domain.clone());
        }
    }

    /// Whether the brief is one of the edited.
    pub(super) fn includes(&self, brief: &Brief) -> bool {
        self.slugs.contains(&brief.doc.slug)
    }
}

/// Whether a page must be rendered again after the briefs in `changed` were edited and the
/// site linked again: one that shows an edited brief, or something linking changed (the
/// briefs on a page of a listing, its counts, the names of topics, a brief's places in the
/// sources index or its authors' counts).
pub(super) fn is_affected(
    site: &Site,
    job: Job,
    before: &Links,
    after: &Links,
    changed: &Edited,
) -> bool {
    if before.names != after.names {
        // Every page may name a topic or term.
        return true;
    }
    let differs = |old: Option<&Listing>, new: Option<&Listing>, page: usize| {
        let size = |listing: Option<&Listing>| {
            listing.map(|pages| (pages.len(), pages.iter().map(Vec::len).sum::<usize>()))
        };
        let old_page = old.and_then(|pages| pages.get(page - 1));
        let new_page = new.and_then(|pages| pages.get(page - 1));
        size(old) != size(new)
            || old_page != new_page
            || new_page.is_some_and(|slugs| slugs.iter().any(|s| changed.slugs.contains(s)))
    };
    let lists_an_edit = |old: Option<&Listing>, new: Option<&Listing>| {
        old.into_iter()
            .chain(new)
            .flatten()
            .flatten()
            .any(|slug| changed.slugs.contains(slug))
    };
    match job {
        Job::Brief(index) => {
            let slug = &site.briefs[index].doc.slug;
            changed.includes(&site.briefs[index])
                || before.brief_context.get(slug) != after.brief_context.get(slug)
        }
        Job::File(
            FileJob::CiteBib(index) | FileJob::CiteRis(index) | FileJob::Redirect(index, _),
        ) => changed.includes(&site.briefs[index]),
        Job::Home { page } => differs(Some(&before.home), Some(&after.home), page),
        Job::Author { index, page } => {
            let slug = &site.authors[index].doc.slug;
            differs(before.authors.get(slug), after.authors.get(slug), page)
        }
        Job::Topic { index, page } => {
            let slug = &site.topics[index].slug;
            differs(before.topics.get(slug), after.topics.get(slug), page)
        }
        Job::Term {
            taxonomy,
            index,
            page,
        } => {
            let key = (
                taxonomy,
                site.taxonomies[taxonomy].terms[index].slug.clone(),
            );
            differs(before.terms.get(&key), after.terms.get(&key), page)
        }
        Job::File(FileJob::Feed(Feed::Term(taxonomy, index))) => {
            let key = (
                taxonomy,
                site.taxonomies[taxonomy].terms[index].slug.clone(),
            );
            lists_an_edit(before.terms.get(&key), after.terms.get(&key))
        }
        Job::File(FileJob::Feed(Feed::Author(index))) => {
            let slug = &site.authors[index].doc.slug;
            lists_an_edit(before.authors.get(slug), after.authors.get(slug))
        }
        Job::File(FileJob::Feed(Feed::Topic(index))) => {
            let slug = &site.topics[index].slug;
            lists_an_edit(before.topics.get(slug), after.topics.get(slug))
        }
        Job::SourceDomain { index, .. } => {
            changed.domains.contains(&site.sources.domains[index].name)
        }
        Job::Page(_) | Job::NotFound | Job::File(FileJob::Robots) => false,
        // Indexes of authors, topics, terms and domains, the search page (it lists topics,
        // authors and years), the site feed and the sitemap.
        Job::Authors
        | Job::Topics
        | Job::Taxonomy(_)
        | Job::Search
        | Job::Sources { .. }
        | Job::File(FileJob::Feed(Feed::Site) | FileJob::Sitemap(_) | FileJob::Redirects) => true,
    }
}

/// The slugs on each page of a listing.
type Listing = Vec<Vec<String>>;

/// What linking gave the pages, to see which pages an edit changes: the slugs on each page of
/// each listing, the topics' and terms' names, and what each brief's page shows of other briefs.
pub(super) struct Links {
    home: Listing,
    authors: HashMap<String, Listing>,
    topics: HashMap<String, Listing>,
    /// By taxonomy and term slug.
    terms: HashMap<(usize, String), Listing>,
    /// Each topic's and term's URL and name.
    names: Vec<(String, String)>,
    /// By brief slug, a hash of its places in the sources index (which say how many briefs
    /// cite each URL) and of its authors' brief counts.
    brief_context: HashMap<String, u64>,
}

impl Links {
    pub(super) fn of(site: &Site) -> Self {
        let per = site.config.paginate;
        let pages = |briefs: &[usize]| -> Listing {
            let mut pages: Listing = briefs
                .chunks(per)
                .map(|chunk| {
                    chunk
                        .iter()
                        .map(|&i| site.briefs[i].doc.slug.clone())
                        .collect()
                })
                .collect();
            pages.resize(page_count(briefs.len(), per), Vec::new());
            pages
        };
        let all: Vec<usize> = (0..site.briefs.len()).collect();
        Links {
            home: pages(&all),
            authors: site
                .authors
                .iter()
                .map(|a| (a.doc.slug.clone(), pages(&a.briefs)))
                .collect(),
            topics: site
                .topics
                .iter()
                .map(|t| (t.slug.clone(), pages(&t.briefs)))
                .collect(),
            terms: site
                .taxonomies
                .iter()
                .enumerate()
                .flat_map(|(t, taxonomy)| taxonomy.terms.iter().map(move |term| (t, term)))
                .map(|(t, term)| ((t, term.slug.clone()), pages(&term.briefs)))
                .collect(),
            names: site
                .topics
                .iter()
                .chain(site.taxonomies.iter().flat_map(|t| &t.terms))
                .map(|t| (t.url.clone(), t.name.clone()))
                .collect(),
            brief_context: site
                .briefs
                .iter()
                .map(|b| (b.doc.slug.clone(), context_hash(site, b)))
                .collect(),
        }
    }
}

/// A hash of what a brief's page shows of other briefs.
fn context_hash(site: &Site, brief: &Brief) -> u64 {
    let mut hasher = DefaultHasher::new();
    for place in &brief.source_refs {
        (&place.index_url, place.brief_count).hash(&mut hasher);
    }
    for &author in &brief.authors {
        site.authors[author].briefs.len().hash(&mut hasher);
    }
    for &related in &brief.related {
        site.briefs[related].doc.slug.hash(&mut hasher);
    }
    hasher.finish()
}

/// The pages and files besides its own page that show brief `index` after an edit that left
/// everything the site links from it as it was (`Site::relink_briefs`): its citation files,
/// the page of each listing it is on, the feeds that may list it, and the pages of the sources
/// index that list it, and the briefs that show it as related. Every other page shows only the
/// counts, dates and links of the briefs,
/// which such an edit does not change.
pub(super) fn showing(site: &Site, index: usize) -> Vec<Job> {
    let per = site.config.paginate;
    let mut jobs = vec![
        Job::File(FileJob::CiteBib(index)),
        Job::File(FileJob::CiteRis(index)),
        Job::Home {
            page: index / per + 1,
        },
        Job::File(FileJob::Feed(Feed::Site)),
    ];
    jobs.extend(listings_of(site, index));
    for page in sources_pages_of(site, index) {
        if !jobs.contains(&page) {
            jobs.push(page);
        }
    }
    // The briefs that show it among their related briefs (its title, date and summary).
    jobs.extend(
        (0..site.briefs.len())
            .filter(|&other| site.briefs[other].related.contains(&index))
            .map(Job::Brief),
    );
    jobs
}

/// The page of each author's, topic's and term's listing that lists brief `index`, and their
/// feeds.
fn listings_of(site: &Site, index: usize) -> Vec<Job> {
    let page_of = |briefs: &[usize]| {
        let at = briefs.iter().position(|&b| b == index).unwrap_or(0);
        at / site.config.paginate + 1
    };
    let brief = &site.briefs[index];
    let mut jobs = Vec::new();
    for &author in &brief.authors {
        let page = page_of(&site.authors[author].briefs);
        jobs.push(Job::Author {
            index: author,
            page,
        });
        jobs.push(Job::File(FileJob::Feed(Feed::Author(author))));
    }
    for &topic in &brief.topics {
        let page = page_of(&site.topics[topic].briefs);
        jobs.push(Job::Topic { index: topic, page });
        jobs.push(Job::File(FileJob::Feed(Feed::Topic(topic))));
    }
    for (taxonomy, terms) in brief.terms.iter().enumerate() {
        for &index in terms {
            let page = page_of(&site.taxonomies[taxonomy].terms[index].briefs);
            jobs.push(Job::Term {
                taxonomy,
                index,
                page,
            });
            jobs.push(Job::File(FileJob::Feed(Feed::Term(taxonomy, index))));
        }
    }
    jobs
}

/// The pages of the sources index that list brief `index` among a source's citing briefs: the
/// brief's own sources' places (a walk of every source's citing briefs took ~5 ms of an edit at
/// 10,000 briefs).
fn sources_pages_of(site: &Site, index: usize) -> impl Iterator<Item = Job> + '_ {
    site.briefs[index]
        .source_refs
        .iter()
        .filter(|place| place.brief_count > 0)
        .map(|place| Job::SourceDomain {
            index: place.domain,
            page: place.page,
        })
}

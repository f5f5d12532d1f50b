//! The linked site: URLs, order, drafts, authors ↔ briefs and topics, the sources index and
//! attached files, checked across files.

pub(crate) mod attachments;
pub mod links;
mod related;
mod relink;
mod sources;

pub use attachments::{Pdf, human_size};
pub use sources::{Domain, IndexedSource, SourceRef, SourcesIndex};

use crate::cache::Key;
use crate::config::Config;
use crate::content;
use crate::markdown::Rendered;

/// The content documents as the site holds them: their bodies rendered.
pub type BriefDoc = content::BriefDoc<Rendered>;
pub type AuthorDoc = content::AuthorDoc<Rendered>;
pub type PageDoc = content::PageDoc<Rendered>;
pub type Doc = content::Doc<Rendered>;
pub type Content = content::Content<Rendered>;
pub type Rejected = content::Rejected<Rendered>;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::reserved::SECTION_SLUGS;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;

/// Everything the renderer needs, cross-referenced.
pub struct Site {
    pub config: Config,
    /// Newest first (ties by slug), drafts only when asked for.
    pub briefs: Vec<Brief>,
    /// By name.
    pub authors: Vec<Author>,
    /// By name.
    pub topics: Vec<Topic>,
    /// The site's own taxonomies, in `Config::taxonomies`' order, each with its terms by name.
    pub taxonomies: Vec<Taxonomy>,
    /// By weight, then title.
    pub pages: Vec<Page>,
    /// Every URL the briefs cite, by domain.
    pub sources: SourcesIndex,
    pub drafts_shown: bool,
    /// Briefs dated after the build's time, left out of the site unless shown: each with the
    /// output folder its page would have, for the link rule.
    pub scheduled_left_out: Vec<(std::path::PathBuf, BriefDoc)>,
    /// Documents left out for their errors: the link rule checks their links, and does not
    /// call a link to one of them broken.
    pub rejected: Rejected,
    /// "Cite this brief" as formatted so far.
    pub formatted_citations: FormattedCitations,
    /// The bibliography files read, each with the fingerprint of its text.
    pub bibliographies: Vec<(std::path::PathBuf, Key)>,
}

/// The briefs' citations already formatted, by the key of their reference and style: those
/// the build cache kept, and those formatted as pages render. Formatting one costs hayagriva
/// about a millisecond, the largest share of rendering a brief's page, and the same reference
/// always comes out the same.
#[derive(Default)]
pub struct FormattedCitations(Mutex<HashMap<Key, String>>);

impl FormattedCitations {
    pub fn get(&self, key: Key) -> Option<String> {
        crate::lock(&self.0).get(&key).cloned()
    }

    pub fn insert(&self, key: Key, html: String) {
        crate::lock(&self.0).insert(key, html);
    }

    /// Adds citations formatted before (by an earlier build, from its cache).
    pub fn remember(&self, known: HashMap<Key, String>) {
        crate::lock(&self.0).extend(known);
    }

    /// Takes them, to give them to the site linked again after an edit.
    pub fn take(&self) -> HashMap<Key, String> {
        std::mem::take(&mut *crate::lock(&self.0))
    }
}

pub struct Brief {
    pub doc: BriefDoc,
    pub url: String,
    /// Indexes into `Site::authors`, in the brief's order.
    pub authors: Vec<usize>,
    /// Indexes into `Site::topics`, in the brief's order.
    pub topics: Vec<usize>,
    /// For each of `Site::taxonomies`, indexes into its terms, in the brief's order.
    pub terms: Vec<Vec<usize>>,
    /// Where each of the brief's sources (in its order) is listed in the sources index.
    pub source_refs: Vec<SourceRef>,
    /// The PDF edition named by `pdf:`.
    pub pdf: Option<Pdf>,
    /// Up to three related briefs (indexes into `Site::briefs`): those named by `related:`,
    /// else those sharing the most sources, topics and authors.
    pub related: Vec<usize>,
}

pub struct Author {
    pub doc: AuthorDoc,
    pub url: String,
    /// Indexes into `Site::briefs`, newest first.
    pub briefs: Vec<usize>,
}

pub struct Topic {
    pub slug: String,
    pub name: String,
    pub url: String,
    /// Indexes into `Site::briefs`, newest first.
    pub briefs: Vec<usize>,
}

/// One of the site's own taxonomies (`[taxonomies.<key>]`): programmes, series, regions.
pub struct Taxonomy {
    /// The front-matter field and URL folder.
    pub key: String,
    /// What one term is called ("Programme").
    pub name: String,
    /// What the terms are called together ("Programmes").
    pub plural: String,
    /// The index of its terms, `/<key>/`.
    pub url: String,
    /// By name, each with its briefs, at `/<key>/<slug>/`.
    pub terms: Vec<Topic>,
}

pub struct Page {
    pub doc: PageDoc,
    pub url: String,
}

impl Site {
    /// Takes the site apart into its settings and documents, to link again after a change.
    pub fn into_content(self) -> (Config, Content) {
        let content = Content {
            briefs: self
                .briefs
                .into_iter()
                .map(|b| b.doc)
                .chain(self.scheduled_left_out.into_iter().map(|(_, doc)| doc))
                .collect(),
            authors: self.authors.into_iter().map(|a| a.doc).collect(),
            pages: self.pages.into_iter().map(|p| p.doc).collect(),
            rejected: self.rejected,
            bibliographies: self.bibliographies,
        };
        (self.config, content)
    }

    /// A brief's keywords for metadata: its topics, then its terms in each taxonomy.
    pub fn keywords(&self, brief: &Brief) -> Vec<&str> {
        let topics = brief.topics.iter().map(|&t| self.topics[t].name.as_str());
        let terms = self
            .taxonomies
            .iter()
            .zip(&brief.terms)
            .flat_map(|(taxonomy, terms)| terms.iter().map(|&t| taxonomy.terms[t].name.as_str()));
        topics.chain(terms).collect()
    }

    pub fn has_code(&self) -> bool {
        self.briefs.iter().any(|b| b.doc.body.has_code)
            || self.pages.iter().any(|p| p.doc.body.has_code)
    }
}

/// Which documents a site shows besides the published ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shown {
    /// Briefs and pages marked `draft: true` (`--drafts`, the preview).
    pub drafts: bool,
    /// Briefs dated after the build's time (`--future`, the preview, `check`).
    pub scheduled: bool,
}

/// Links the parsed content into a site; duplicate slugs are reported.
pub fn link_site(config: Config, content: Content, shown: Shown) -> (Site, Diagnostics) {
    let include_drafts = shown.drafts;
    let mut diagnostics = Diagnostics::default();
    let Content {
        mut briefs,
        mut authors,
        mut pages,
        rejected,
        bibliographies,
    } = content;
    authors.sort_by(|a, b| (&a.name, &a.slug).cmp(&(&b.name, &b.slug)));
    briefs.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
    pages.sort_by(|a, b| (a.weight, &a.title).cmp(&(b.weight, &b.title)));

    // Documents left out for their errors take part: a slug is taken by the file that has it.
    diagnostics.extend(duplicates(
        &config,
        briefs
            .iter()
            .chain(&rejected.briefs)
            .map(|b| (&b.slug, &b.shown)),
        "brief",
    ));
    diagnostics.extend(duplicates(
        &config,
        authors
            .iter()
            .chain(&rejected.authors)
            .map(|a| (&a.slug, &a.shown)),
        "author",
    ));
    diagnostics.extend(duplicates(
        &config,
        pages
            .iter()
            .chain(&rejected.pages)
            .map(|p| (&p.slug, &p.shown)),
        "page",
    ));
    diagnostics.extend(reserved_pages(&config, &pages));
    // Every brief's PDF is looked for, drafts' too: a broken draft fails the build.
    let mut pdfs: HashMap<String, Pdf> = HashMap::new();
    for brief in &briefs {
        match attachments::brief_pdf(&config, brief) {
            Ok(Some(pdf)) => {
                pdfs.insert(brief.slug.clone(), pdf);
            }
            Ok(None) => {}
            Err(problem) => diagnostics.push(problem),
        }
    }

    let author_index: HashMap<&str, usize> = authors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.slug.as_str(), i))
        .collect();

    briefs.retain(|b| include_drafts || !b.draft);
    let now = config.build_time;
    let (briefs, scheduled): (Vec<BriefDoc>, Vec<BriefDoc>) = briefs
        .into_iter()
        .partition(|b| shown.scheduled || !b.is_scheduled(now));
    let scheduled_left_out = scheduled
        .into_iter()
        .map(|doc| (std::path::PathBuf::from("briefs").join(&doc.slug), doc))
        .collect();
    pages.retain(|p| include_drafts || !p.draft);
    let topics = collect_terms(&config, "/topics/", briefs.iter().flat_map(|b| &b.topics));
    let topic_index = slug_index(&topics);
    let mut taxonomies: Vec<Taxonomy> = config
        .taxonomies
        .iter()
        .enumerate()
        .map(|(t, settings)| Taxonomy {
            url: config.url(&format!("/{}/", settings.key)),
            terms: collect_terms(
                &config,
                &format!("/{}/", settings.key),
                briefs.iter().flat_map(|b| &b.terms[t]),
            ),
            key: settings.key.clone(),
            name: settings.name.clone(),
            plural: settings.plural.clone(),
        })
        .collect();
    let term_indexes: Vec<HashMap<&str, usize>> =
        taxonomies.iter().map(|t| slug_index(&t.terms)).collect();
    let mut term_briefs: Vec<Vec<Vec<usize>>> = taxonomies
        .iter()
        .map(|t| vec![Vec::new(); t.terms.len()])
        .collect();

    let mut linked_authors: Vec<Author> = Vec::new();
    let mut site_briefs = Vec::with_capacity(briefs.len());
    let mut author_briefs = vec![Vec::new(); authors.len()];
    let mut topic_briefs = vec![Vec::new(); topics.len()];
    for (i, doc) in briefs.into_iter().enumerate() {
        let authors_of: Vec<usize> = doc
            .authors
            .iter()
            .filter_map(|a| author_index.get(a.value.as_str()).copied())
            .collect();
        let topics_of: Vec<usize> = unique(
            doc.topics
                .iter()
                .map(|t| topic_index[topic_slug(&t.value).as_str()]),
        );
        for &a in &authors_of {
            author_briefs[a].push(i);
        }
        for &t in &topics_of {
            topic_briefs[t].push(i);
        }
        let terms_of: Vec<Vec<usize>> = doc
            .terms
            .iter()
            .zip(&term_indexes)
            .map(|(written, index)| {
                unique(written.iter().map(|t| index[topic_slug(&t.value).as_str()]))
            })
            .collect();
        for (taxonomy, terms) in terms_of.iter().enumerate() {
            for &term in terms {
                term_briefs[taxonomy][term].push(i);
            }
        }
        site_briefs.push(Brief {
            url: config.url(&format!("/briefs/{}/", doc.slug)),
            pdf: pdfs.remove(&doc.slug),
            doc,
            authors: unique(authors_of.into_iter()),
            topics: topics_of,
            terms: terms_of,
            source_refs: Vec::new(),
            related: Vec::new(),
        });
    }
    drop(author_index);
    drop(topic_index);
    drop(term_indexes);
    for (taxonomy, briefs) in taxonomies.iter_mut().zip(term_briefs) {
        for (term, briefs) in taxonomy.terms.iter_mut().zip(briefs) {
            term.briefs = briefs;
        }
    }
    for (doc, briefs) in authors.into_iter().zip(author_briefs) {
        linked_authors.push(Author {
            url: config.url(&format!("/authors/{}/", doc.slug)),
            doc,
            briefs,
        });
    }
    let topics = topics
        .into_iter()
        .zip(topic_briefs)
        .map(|(topic, briefs)| Topic { briefs, ..topic })
        .collect();
    let pages = pages
        .into_iter()
        .map(|doc| Page {
            url: config.url(&format!("/{}/", doc.slug)),
            doc,
        })
        .collect();
    let (sources, source_refs) = sources::index_sources(&config, &site_briefs);
    for (brief, refs) in site_briefs.iter_mut().zip(source_refs) {
        brief.source_refs = refs;
    }
    let site = Site {
        config,
        sources,
        briefs: site_briefs,
        authors: linked_authors,
        topics,
        taxonomies,
        pages,
        drafts_shown: include_drafts,
        scheduled_left_out,
        rejected,
        formatted_citations: FormattedCitations::default(),
        bibliographies,
    };
    (site, diagnostics)
}

/// Gives each brief its related briefs: those its `related:` names (each an error at its place
/// when no published brief has that slug), else those `related::related_briefs` finds.
pub fn link_related(site: &mut Site) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let found = related::related_briefs(site);
    let briefs = &site.briefs;
    let by_slug: HashMap<&str, usize> = briefs
        .iter()
        .enumerate()
        .map(|(i, b)| (b.doc.slug.as_str(), i))
        .collect();
    let mut chosen = Vec::with_capacity(briefs.len());
    for (brief, found) in briefs.iter().zip(found) {
        if brief.doc.related.is_empty() {
            chosen.push(found);
            continue;
        }
        let mut named = Vec::new();
        for slug in &brief.doc.related {
            match by_slug.get(slug.value.as_str()) {
                Some(&index) => named.push(index),
                None => diagnostics.push(
                    slug.place
                        .error(&brief.doc.shown, format!("`related` names `{}`, which is not a published brief", slug.value))
                        .width(slug.value.chars().count())
                        .help("name briefs by their slugs (their file names), e.g. `related: [heat-pump-rollout]`"),
                ),
            }
        }
        chosen.push(named);
    }
    for (brief, related) in site.briefs.iter_mut().zip(chosen) {
        brief.related = related;
    }
    diagnostics
}

/// The URL of page `n` of a listing at `base` (which ends in `/`): `base`, `base/page/2/`, …
pub fn page_url(base: &str, n: usize) -> String {
    if n == 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// Keeps the first of each repeated value, in order.
fn unique(items: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut seen = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// A topic's slug, from the slug or name the brief gives.
pub fn topic_slug(written: &str) -> String {
    let slug = slug::slugify(written);
    if slug.is_empty() {
        "topic".into()
    } else {
        slug
    }
}

/// Topics (or a taxonomy's terms, under `base`) by name. Forms with the same slug are one
/// topic, named as written out in the newest brief that writes a name (`Energy Policy`); a
/// topic only ever given as a slug (`energy-policy`) is shown as "Energy policy".
fn collect_terms<'a>(
    config: &Config,
    base: &str,
    written: impl Iterator<Item = &'a content::Located>,
) -> Vec<Topic> {
    // slug → (name, whether the name was written out rather than made from a slug)
    let mut by_slug: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for topic in written {
        let written = !crate::content::is_slug(&topic.value);
        let entry = by_slug
            .entry(topic_slug(&topic.value))
            .or_insert_with(|| (topic_name(&topic.value), written));
        if written && !entry.1 {
            *entry = (topic.value.clone(), true);
        }
    }
    let mut topics: Vec<Topic> = by_slug
        .into_iter()
        .map(|(slug, (name, _))| Topic {
            url: config.url(&format!("{base}{slug}/")),
            slug,
            name,
            briefs: Vec::new(),
        })
        .collect();
    topics.sort_by(|a, b| (a.name.to_lowercase(), &a.slug).cmp(&(b.name.to_lowercase(), &b.slug)));
    topics
}

/// Each term's index, by its slug.
fn slug_index(terms: &[Topic]) -> HashMap<&str, usize> {
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.slug.as_str(), i))
        .collect()
}

fn topic_name(written: &str) -> String {
    if crate::content::is_slug(written) {
        let spaced = written.replace('-', " ");
        let mut chars = spaced.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    } else {
        written.to_string()
    }
}

fn duplicates<'a>(
    config: &Config,
    items: impl Iterator<Item = (&'a String, &'a std::path::PathBuf)>,
    what: &str,
) -> Vec<Diagnostic> {
    let mut first: HashMap<&str, &Path> = HashMap::new();
    let mut problems = Vec::new();
    for (slug, path) in items {
        if let Some(earlier) = first.insert(slug, path) {
            let (earlier, later) = if earlier < path.as_path() {
                (earlier, path.as_path())
            } else {
                (path.as_path(), earlier)
            };
            first.insert(slug, earlier);
            let clash = Diagnostic::error(later, format!("two {what}s have the slug `{slug}`"))
                .note(format!(
                    "`{}` and `{}` both use it",
                    earlier.display(),
                    later.display()
                ))
                .help("rename one of the files, or give one a different `slug:`");
            // At its `slug:` line when the slug is written there, else the whole file.
            problems.push(attachments::place_at_field(config, later, "slug", clash));
        }
    }
    problems
}

/// Whether a page slug is taken by the site's own sections or taxonomies (an error
/// `link_site` reports).
pub fn is_reserved_slug(config: &Config, slug: &str) -> bool {
    reserved_slugs(config).contains(&slug)
}

/// The page slugs the site's own sections and taxonomies take.
fn reserved_slugs(config: &Config) -> Vec<&str> {
    let taxonomies = config.taxonomies.iter().map(|t| t.key.as_str());
    SECTION_SLUGS.iter().copied().chain(taxonomies).collect()
}

/// Pages whose slug is taken by a section of folio's or a taxonomy.
fn reserved_pages(config: &Config, pages: &[PageDoc]) -> Vec<Diagnostic> {
    pages
        .iter()
        .filter(|p| is_reserved_slug(config, &p.slug))
        .map(|p| {
            Diagnostic::error(
                &p.shown,
                format!(
                    "the page slug `{}` is taken by the site's own pages",
                    p.slug
                ),
            )
            .help(format!(
                "rename the file or set another `slug:`; reserved: {}",
                reserved_slugs(config).join(", ")
            ))
        })
        .collect()
}

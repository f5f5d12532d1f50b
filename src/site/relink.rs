//! Relinking edited briefs cheaply, for the preview: in place, when their links are unchanged.

use super::BriefDoc;
use super::{Site, attachments};
use crate::content::Located;

impl Site {
    /// Puts edited briefs in place of the versions read from the same files, when each links
    /// exactly as the version it replaces: the same slug, dates, draft state, authors, topics
    /// and cited URLs, so that the order, listings, topics and sources index `link_site` would
    /// make stay as they are. Returns their indexes in `briefs` with the versions they
    /// replaced; gives every document back untouched when any of them needs `link_site` (a
    /// new or renamed brief, a changed link, a PDF that is missing, which `link_site` reports).
    pub fn relink_briefs(
        &mut self,
        docs: Vec<BriefDoc>,
    ) -> Result<Vec<(usize, BriefDoc)>, Vec<BriefDoc>> {
        let mut places = Vec::with_capacity(docs.len());
        for doc in &docs {
            let Some(index) = self.briefs.iter().position(|b| b.doc.shown == doc.shown) else {
                return Err(docs);
            };
            if !links_alike(&self.briefs[index].doc, doc) {
                return Err(docs);
            }
            match attachments::brief_pdf(&self.config, doc) {
                Ok(pdf) => places.push((index, pdf)),
                Err(_) => return Err(docs),
            }
        }
        let replaced = docs
            .into_iter()
            .zip(places)
            .map(|(doc, (index, pdf))| {
                let brief = &mut self.briefs[index];
                brief.pdf = pdf;
                (index, std::mem::replace(&mut brief.doc, doc))
            })
            .collect();
        Ok(replaced)
    }
}

/// Whether two versions of a brief give `link_site` the same input.
fn links_alike(old: &BriefDoc, new: &BriefDoc) -> bool {
    old.slug == new.slug
        && old.shown == new.shown
        && old.date == new.date
        && old.time == new.time
        && old.updated == new.updated
        && old.draft == new.draft
        && same_values(&old.authors, &new.authors)
        && same_values(&old.topics, &new.topics)
        && old.terms.len() == new.terms.len()
        && old
            .terms
            .iter()
            .zip(&new.terms)
            .all(|(a, b)| same_values(a, b))
        && same_values(&old.aliases, &new.aliases)
        && same_values(&old.related, &new.related)
        && same_sources(old, new)
}

fn same_values(a: &[Located], b: &[Located]) -> bool {
    a.iter().map(|l| &l.value).eq(b.iter().map(|l| &l.value))
}

/// The same URLs (and so domains) cited, in the same order.
fn same_sources(a: &BriefDoc, b: &BriefDoc) -> bool {
    let (a, b) = (&a.body.sources, &b.body.sources);
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(a, b)| a.url == b.url && a.domain == b.domain)
}

//! The preview's PDFs: each brief's typeset PDF is made when it is first asked for, and made
//! again after an edit of the brief when it is next asked for.

use super::{Preview, key};
use crate::cache::BuildCache;
use crate::pdf::{Made, Typesetter, make_pdf};
use crate::render::typeset_pdf_path;
use crate::serve::files::Served;
use std::collections::HashSet;
use std::path::PathBuf;

impl Preview {
    /// The URL paths of the briefs' PDFs not made yet, with their briefs' indexes.
    pub(super) fn unmade_pdfs(&self) -> Vec<(String, usize)> {
        let Some(site) = &self.site else {
            return Vec::new();
        };
        site.briefs
            .iter()
            .enumerate()
            .filter_map(|(index, brief)| Some((key(&typeset_pdf_path(site, brief)?), index)))
            .filter(|(path, _)| !self.files.contains(path))
            .collect()
    }

    /// Makes the PDFs among the paths `asked` for; returns how many. One that cannot be
    /// typeset is shown as an error, like any other.
    pub fn make_asked_pdfs(&mut self, asked: &HashSet<String>) -> usize {
        let wanted: Vec<(String, usize)> = self
            .unmade_pdfs()
            .into_iter()
            .filter(|(path, _)| asked.contains(path))
            .collect();
        let Some(site) = &self.site else { return 0 };
        if wanted.is_empty() {
            return 0;
        }
        if self.typesetter.is_none() {
            match Typesetter::new(site) {
                Ok(typesetter) => self.typesetter = Some(typesetter),
                Err(problem) => {
                    self.errors.push(problem);
                    return 0;
                }
            }
        }
        let typesetter = self.typesetter.as_ref().expect("made above");
        let cache = BuildCache::for_preview(&self.root);
        let mut made = 0;
        for (path, index) in wanted {
            match make_pdf(typesetter, site, &site.briefs[index], &cache) {
                Ok(Made::File(file, _)) => self.files.insert(path, Served::File(file)),
                Ok(Made::Data(bytes)) => self.files.insert(path, Served::Bytes(bytes)),
                Err(problem) => {
                    self.errors.push(problem);
                    continue;
                }
            }
            made += 1;
        }
        made
    }

    /// Drops the PDFs of the briefs at `paths`, edited: they are made again when asked for.
    pub(super) fn forget_pdfs(&mut self, paths: &[PathBuf]) {
        let Some(site) = &self.site else { return };
        let stale: Vec<String> = site
            .briefs
            .iter()
            .filter(|brief| paths.contains(&site.config.root.join(&brief.doc.shown)))
            .filter_map(|brief| Some(key(&typeset_pdf_path(site, brief)?)))
            .collect();
        for path in stale {
            self.files.remove(&path);
        }
    }
}

//! The last build into an output folder, as the build cache keeps it: a key of every input it
//! read, a stamp of every file and folder it left, the build times its pages hold for, and its
//! report. A build whose inputs and output are still those has nothing to do.

use super::stamps::OutputStamps;
use crate::cache::{BuildCache, Key};
use crate::config::{Config, INPUT_FOLDERS};
use crate::content::BibFile;
use crate::diagnostics::{Diagnostic, Severity};
use crate::output::OUTPUT_MARK;
use crate::site::Site;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A key of everything a build reads: the path and content of every file in the site's input
/// folders, `site.toml`, the bibliography files and the citation style it names, folio itself,
/// and the options of the build (`options`: drafts, scheduled briefs, base URL, output folder).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Inputs([u8; 16]);

impl Inputs {
    /// Reads every input of the site; `None` when one cannot be read (the build then reports it).
    pub fn read(config: &Config, options: impl std::hash::Hash) -> Option<Inputs> {
        let paths = input_paths(config)?;
        // Content, not modification times: a file saved twice within a clock tick, or copied
        // back with its old time, is still told apart. Reading a 10,000-brief site's 175 MB
        // costs ~0.15 s on two cores.
        let contents: Vec<Option<u128>> = paths
            .par_iter()
            .map(|(path, is_file)| match is_file {
                true => std::fs::read(path)
                    .ok()
                    .map(|bytes| xxhash_rust::xxh3::xxh3_128(&bytes)),
                false => Some(0),
            })
            .collect();
        let contents: Vec<u128> = contents.into_iter().collect::<Option<_>>()?;
        let listed = paths.iter().map(|(path, _)| path).zip(contents);
        // The style names a file of the site's own with a hash of its text.
        let settings = (options, &config.citation.style);
        Some(Inputs(Key::of_each(settings, listed).bytes()))
    }
}

/// The files and folders a build reads, sorted, each marked whether it is a file (a folder's
/// path alone is part of the key: an empty folder can matter, a bundle without its text).
fn input_paths(config: &Config) -> Option<Vec<(PathBuf, bool)>> {
    let mut paths = vec![(config.settings_path(), true)];
    for folder in INPUT_FOLDERS {
        let folder = config.root.join(folder);
        if !folder.exists() {
            continue;
        }
        let walk = walkdir::WalkDir::new(folder)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walk {
            let entry = entry.ok()?;
            let is_file = entry.file_type().is_file();
            paths.push((entry.into_path(), is_file));
        }
    }
    paths.extend(
        config
            .citation
            .bibliography
            .iter()
            .map(|p| (p.clone(), true)),
    );
    Some(paths)
}

/// The last build into an output folder.
#[derive(Serialize, Deserialize)]
pub struct LastBuild {
    inputs: [u8; 16],
    /// The bibliography files the build read, with the fingerprints of their texts: a brief
    /// may name one outside the input folders.
    bibliographies: Vec<(PathBuf, [u8; 16])>,
    /// The build times at which its site is the same: from the latest time a brief was due
    /// by to the earliest time one still scheduled falls due (nanoseconds since 1970).
    shown_from: Option<i64>,
    shown_until: Option<i64>,
    /// Every file and folder of the output.
    output: OutputStamps,
    pub pages: usize,
    pub files: usize,
    warnings: Vec<KeptDiagnostic>,
}

impl LastBuild {
    /// The last build into `output` (absolute), when it read `inputs`, would show the same
    /// briefs at `now`, and left the output as it still is.
    pub fn unchanged(
        cache: &BuildCache,
        output: &Path,
        inputs: Inputs,
        now: DateTime<Utc>,
    ) -> Option<LastBuild> {
        let bytes = cache.last_build(output)?;
        let last: LastBuild = postcard::from_bytes(&bytes).ok()?;
        let now = now.timestamp_nanos_opt()?;
        let shown = last.shown_from.is_none_or(|from| from <= now)
            && last.shown_until.is_none_or(|until| now < until);
        let same = last.inputs == inputs.0 && shown && last.bibliographies_unchanged();
        (same && last.output_is_as_left(output)).then_some(last)
    }

    /// The record of a build of `site` from `inputs`, which wrote `files` (paths within
    /// `output`, besides the output's mark), reported `(pages, files)` and found `warnings`;
    /// `None` when a file cannot be stamped.
    pub fn new<'p>(
        site: &Site,
        inputs: Inputs,
        output: &Path,
        files: impl Iterator<Item = &'p PathBuf>,
        (pages, file_count): (usize, usize),
        warnings: &[Diagnostic],
    ) -> Option<LastBuild> {
        let (shown_from, shown_until) = shown_between(site)?;
        let files: Vec<&Path> = (files.map(PathBuf::as_path))
            .chain([Path::new(OUTPUT_MARK)])
            .collect();
        Some(LastBuild {
            inputs: inputs.0,
            bibliographies: (site.bibliographies.iter())
                .map(|(path, key)| (path.clone(), key.bytes()))
                .collect(),
            shown_from,
            shown_until,
            output: OutputStamps::take(output, &files)?,
            pages,
            files: file_count,
            warnings: warnings.iter().cloned().map(KeptDiagnostic).collect(),
        })
    }

    /// Keeps the record for the next build into `output`.
    pub fn keep(&self, cache: &BuildCache, output: &Path) {
        if let Ok(bytes) = postcard::to_stdvec(self) {
            cache.keep_last_build(output, &bytes);
        }
    }

    /// The warnings the build found.
    pub fn warnings(self) -> Vec<Diagnostic> {
        self.warnings.into_iter().map(|kept| kept.0).collect()
    }

    fn bibliographies_unchanged(&self) -> bool {
        (self.bibliographies.par_iter())
            .all(|(path, key)| BibFile::unchanged(path, Key::from_bytes(*key)))
    }

    /// Whether every file and folder the build left is still there as it was.
    fn output_is_as_left(&self, output: &Path) -> bool {
        self.output.hold(output)
    }
}

/// The times between which the site shows the same briefs: none dated later is due yet, none
/// shown was due later. `None` when a time is beyond what a stamp holds.
fn shown_between(site: &Site) -> Option<(Option<i64>, Option<i64>)> {
    let now = site.config.build_time;
    let due = site
        .briefs
        .iter()
        .map(|brief| &brief.doc)
        .chain(site.scheduled_left_out.iter().map(|(_, doc)| doc))
        .map(|doc| doc.due_at());
    let (mut from, mut until) = (None, None);
    for due in due {
        let nanos = due.timestamp_nanos_opt()?;
        if due > now {
            until = Some(until.map_or(nanos, |t: i64| t.min(nanos)));
        } else {
            from = Some(from.map_or(nanos, |t: i64| t.max(nanos)));
        }
    }
    Some((from, until))
}

/// A warning as the record keeps it, with the line it shows.
#[derive(Serialize, Deserialize)]
struct KeptDiagnostic(#[serde(with = "DiagnosticFields")] Diagnostic);

#[derive(Serialize, Deserialize)]
#[serde(remote = "Diagnostic")]
struct DiagnosticFields {
    severity: Severity,
    path: PathBuf,
    line: usize,
    column: usize,
    message: String,
    help: Option<String>,
    note: Option<String>,
    snippet: Option<String>,
    width: usize,
}

//! An edited build's search index made by patching the last build's: the postings of the
//! stems the edited documents gain, lose or change, their document chunks, the filters and the
//! manifest are written again; every other file of the last index is kept as it is.
//!
//! What makes this possible is the ranking's split (`index::Scorer`): a posting's impact
//! depends on its own document alone, a stem's weight on how many documents have it, and the
//! postings chunks are cut where their stems say (`format::cut_postings`). The patched index
//! is byte for byte what a fresh build of the same site writes; whenever that cannot be
//! ensured (the mean length moves a step, a stem gains or loses a chunk of its own, documents
//! come or go, many are edited, the last index or analyses are not at hand) the index is made
//! afresh instead.

use super::analyse::TermCounts;
use super::format::{self, IndexFile, MANIFEST, Manifest, StemEntry};
use super::index::{Inverted, Scorer};
use super::vocabulary::Vocabulary;
use super::{Analysed, Document, Kept, Keys, Numbering, Source, analyse_text};
use crate::cache::BuildCache;
use crate::site::Site;
use rayon::prelude::*;
use rust_stemmers::Stemmer;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The cache's file of the last index's state.
const STATE_FILE: &str = "search-state.postcard";

/// More edited documents than this, and the index is made afresh (each edited document
/// rewrites the postings of a few hundred stems).
const MOST_EDITED: usize = 32;

/// What the cache keeps of the last build's index, to patch it.
#[derive(Serialize, Deserialize)]
pub struct State {
    /// The hash of the `manifest.json` it describes.
    manifest: u64,
    language: String,
    stemmed: bool,
    /// Each document's keys, in the index's order.
    documents: Vec<Keys>,
    /// The documents' lengths, all added.
    total_length: u64,
    /// How many documents have each word of the kept vocabulary, by its number.
    word_documents: Vec<u32>,
    /// Each stem some document has, sorted, with how many do.
    stems: Vec<(String, u32)>,
}

impl State {
    /// The state of an index made afresh from `inverted`, before its files are made (which
    /// drop it): `describing` names their manifest.
    pub fn of_index(
        keys: &[Keys],
        documents: &[Document],
        inverted: &Inverted,
        language: &str,
        stemmed: bool,
    ) -> State {
        State {
            manifest: 0,
            language: language.into(),
            stemmed,
            documents: keys.to_vec(),
            total_length: documents.iter().map(super::index::length).sum(),
            word_documents: inverted.word_documents.clone(),
            stems: inverted
                .stems
                .iter()
                .enumerate()
                .map(|(n, stem)| (stem.clone(), inverted.frequency(n)))
                .collect(),
        }
    }

    /// The state with the manifest among `files` as the one it describes.
    pub fn describing(mut self, files: &[IndexFile]) -> State {
        let manifest = files.iter().find(|f| f.name == MANIFEST);
        self.manifest = manifest.map_or(0, |f| xxhash_rust::xxh3::xxh3_64(&f.bytes));
        self
    }

    /// Keeps the state in the cache, for the next build.
    pub fn keep(&self, cache: &BuildCache) {
        if cache.is_kept()
            && let Ok(bytes) = postcard::to_stdvec(self)
        {
            cache.keep_file(STATE_FILE, &bytes);
        }
    }

    fn stem(&self, stem: &str) -> Result<usize, usize> {
        self.stems.binary_search_by(|(s, _)| s.as_str().cmp(stem))
    }

    fn frequency(&self, stem: &str) -> u32 {
        self.stem(stem).map_or(0, |at| self.stems[at].1)
    }
}

/// The last build's index: its state, from the cache, and its files, in the previous output.
pub struct Last {
    state: State,
    dir: PathBuf,
    manifest: Manifest,
    /// The names of the files in `dir`.
    names: HashSet<String>,
}

impl Last {
    /// The last index, when the cache's state describes the one in `dir`.
    pub fn read(cache: &BuildCache, dir: &Path) -> Option<Last> {
        let state: State = postcard::from_bytes(&cache.file(STATE_FILE)?).ok()?;
        let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
        if xxhash_rust::xxh3::xxh3_64(&bytes) != state.manifest {
            return None;
        }
        let manifest = serde_json::from_slice(&bytes).ok()?;
        let names = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        Some(Last {
            state,
            dir: dir.to_path_buf(),
            manifest,
            names,
        })
    }

    /// Whether the last index was made in the same language, and its word numbers are those of
    /// the kept vocabulary `words`.
    pub fn fits(&self, language: &str, stemmed: bool, words: &[String]) -> bool {
        self.state.language == language
            && self.state.stemmed == stemmed
            && self.state.word_documents.len() == words.len()
    }
}

/// What the patch is given: the site, its documents with their keys, the kept analyses.
pub struct Given<'g> {
    pub site: &'g Site,
    pub sources: &'g [Source<'g>],
    pub keys: &'g [Keys],
    pub kept: &'g Kept,
    pub stemmer: Option<&'g Stemmer>,
}

/// The patched index: the files written again, the names of those kept, the new state.
pub struct Patched {
    pub files: Vec<IndexFile>,
    pub kept: Vec<String>,
    pub state: State,
    pub edited: usize,
    /// How many of them had a text the cache had no analysis of.
    pub analysed: usize,
    /// The edited documents' analyses, by the key of their text, and the vocabulary they are
    /// numbered in: the cache's copy of the analyses is written with them.
    pub analyses: Vec<(u128, Analysed)>,
    pub words: Vec<String>,
}

/// An edited document's analyses, before and after.
struct Edit {
    document: usize,
    old: Analysed,
    new: Analysed,
}

/// A change of one document's posting in a stem: whether it had one, and its impact and place
/// after the edit, or none.
#[derive(Clone, Copy)]
struct Change {
    document: u32,
    had: bool,
    after: Option<(u8, u32)>,
}

/// The last index patched for the documents whose keys changed; `None` when it must be made
/// afresh.
pub fn patch(given: &Given, last: Last, words: &[String]) -> Option<Patched> {
    let state = &last.state;
    if given.keys.len() != state.documents.len() {
        return None;
    }
    let edited: Vec<usize> = (0..given.keys.len())
        .filter(|&n| given.keys[n].document != state.documents[n].document)
        .collect();
    if edited.len() > MOST_EDITED {
        return None;
    }
    let (edits, words) = analyses(given, state, &edited, words)?;
    let documents = given.keys.len();
    let old_lengths: u64 = edits.iter().map(|e| length(&e.old)).sum();
    let new_lengths: u64 = edits.iter().map(|e| length(&e.new)).sum();
    let total_length = state.total_length.checked_sub(old_lengths)? + new_lengths;
    let scorer = Scorer::with_lengths(total_length, documents);
    if scorer != Scorer::with_lengths(state.total_length, documents) {
        return None;
    }
    let changes = posting_changes(&edits, &words, given.stemmer, &scorer);
    let frequencies = new_frequencies(state, &changes)?;
    let mut files = Vec::new();
    let postings = patched_postings(&last, &changes, &frequencies, &scorer, &mut files)?;
    let word_documents = word_documents(state, &edits, words.len());
    let vocabulary = if used_words_changed(state, &word_documents) {
        let used = used_words(&words, &word_documents, given.stemmer);
        let pairs = used.iter().map(|(w, s)| (w.as_str(), s.as_str())).collect();
        format::vocabulary_chunks(&mut files, pairs)
    } else {
        last.manifest.vocabulary.clone()
    };
    let document_hashes = patched_documents(given, &last, &edits, &mut files)?;
    let filters = patched_filters(given, &last, &edits)?;
    let filters = format::hashed(&mut files, "filters", filters);
    let manifest = Manifest {
        language: state.language.clone(),
        stemmed: state.stemmed,
        documents,
        vocabulary,
        postings,
        document_hashes,
        filters,
    };
    let manifest_file = manifest.file();
    // A patch can make a file the last index had (an edit undone): it is kept, not written.
    files.retain(|file| !last.names.contains(&file.name));
    let kept = kept_names(&manifest, &files);
    if !kept.iter().all(|name| last.names.contains(name)) {
        return None;
    }
    let state = State {
        manifest: xxhash_rust::xxh3::xxh3_64(&manifest_file.bytes),
        language: state.language.clone(),
        stemmed: state.stemmed,
        documents: given.keys.to_vec(),
        total_length,
        word_documents,
        stems: new_stems(state, &frequencies),
    };
    files.push(manifest_file);
    Some(Patched {
        files,
        kept,
        state,
        edited: edited.len(),
        analysed: edits
            .iter()
            .filter(|e| !given.kept.contains_key(&given.keys[e.document].text))
            .count(),
        analyses: edits
            .into_iter()
            .map(|edit| (given.keys[edit.document].text, edit.new))
            .collect(),
        words,
    })
}

/// Each edited document's analyses, the last build's (kept) and this one's (kept, when its
/// text is one the cache has, or made now), with the vocabulary they are numbered in.
fn analyses(
    given: &Given,
    state: &State,
    edited: &[usize],
    words: &[String],
) -> Option<(Vec<Edit>, Vec<String>)> {
    let vocabulary = Vocabulary::with_words(words.to_vec());
    let mut numbering = Numbering::new(&vocabulary);
    let mut edits = Vec::with_capacity(edited.len());
    for &document in edited {
        let old = given.kept.get(state.documents[document].text)?;
        let new = given
            .kept
            .get(given.keys[document].text)
            .unwrap_or_else(|| {
                let parts = given.sources[document].parts(given.site);
                analyse_text(&parts.text(), &mut numbering)
            });
        edits.push(Edit { document, old, new });
    }
    drop(numbering);
    Some((edits, vocabulary.into_words()))
}

fn length(analysed: &Analysed) -> u64 {
    analysed.lengths.iter().map(|&l| u64::from(l)).sum()
}

/// A document's counts by stem (its surface words' counts added, as `index::invert` adds
/// them: in the order of the words).
fn stem_counts(
    analysed: &Analysed,
    words: &[String],
    stemmer: Option<&Stemmer>,
) -> HashMap<String, TermCounts> {
    let mut counts: HashMap<String, TermCounts> = HashMap::new();
    for (word, word_counts) in analysed.words() {
        let word = &words[word as usize];
        let stem = match stemmer {
            Some(stemmer) => stemmer.stem(word).into_owned(),
            None => word.clone(),
        };
        counts
            .entry(stem)
            .and_modify(|c| c.merge(&word_counts))
            .or_insert(word_counts);
    }
    counts
}

/// Each stem whose postings the edits change, with the changes, by document.
fn posting_changes(
    edits: &[Edit],
    words: &[String],
    stemmer: Option<&Stemmer>,
    scorer: &Scorer,
) -> BTreeMap<String, Vec<Change>> {
    let mut changes: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for edit in edits {
        let old = stem_counts(&edit.old, words, stemmer);
        let new = stem_counts(&edit.new, words, stemmer);
        let (old_length, new_length) = (length(&edit.old), length(&edit.new));
        let stems: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for stem in stems {
            let before = old.get(stem).map(|c| scorer.posting(old_length, c));
            let after = new.get(stem).map(|c| scorer.posting(new_length, c));
            if before != after {
                let change = Change {
                    document: edit.document as u32,
                    had: before.is_some(),
                    after,
                };
                changes.entry(stem.clone()).or_default().push(change);
            }
        }
    }
    changes
}

/// How many documents have each changed stem after the edits; `None` when a stem gains or
/// loses a postings chunk of its own (which moves the cuts around it).
fn new_frequencies(
    state: &State,
    changes: &BTreeMap<String, Vec<Change>>,
) -> Option<BTreeMap<String, u32>> {
    let mut frequencies = BTreeMap::new();
    for (stem, stem_changes) in changes {
        let old = state.frequency(stem);
        let gained: i64 = stem_changes
            .iter()
            .map(|c| i64::from(c.after.is_some()) - i64::from(c.had))
            .sum();
        let new = i64::from(old) + gained;
        let new = u32::try_from(new).ok()?;
        if (old >= format::OWN_CHUNK) != (new >= format::OWN_CHUNK) {
            return None;
        }
        frequencies.insert(stem.clone(), new);
    }
    Some(frequencies)
}

/// The manifest's postings chunks with the changes made: the chunks that hold a changed stem
/// are read from the last index, their entries patched (`splice`) and cut again, with the
/// chunk before when a changed stem that began one begins one no more.
fn patched_postings(
    last: &Last,
    changes: &BTreeMap<String, Vec<Change>>,
    frequencies: &BTreeMap<String, u32>,
    scorer: &Scorer,
    files: &mut Vec<IndexFile>,
) -> Option<Value> {
    let chunks: Vec<(String, String)> =
        serde_json::from_value(last.manifest.postings.clone()).ok()?;
    if chunks.is_empty() {
        return None;
    }
    let chunk_of = |stem: &str| {
        chunks
            .partition_point(|(first, _)| first.as_str() <= stem)
            .saturating_sub(1)
    };
    let merges_back = |c: usize| {
        let first = chunks[c].0.as_str();
        c > 0
            && frequencies
                .get(first)
                .is_some_and(|&f| f == 0 || !format::starts_chunk(first, f))
    };
    // A chunk whose first stem begins one only because the stem before has a chunk of its own
    // may join the chunk before, when a new stem comes between them.
    let follows_own = |c: usize| {
        let first = chunks[c].0.as_str();
        let frequency = frequencies
            .get(first)
            .copied()
            .unwrap_or_else(|| last.state.frequency(first));
        !format::starts_chunk(first, frequency)
    };
    let mut touched: BTreeSet<usize> = changes.keys().map(|stem| chunk_of(stem)).collect();
    loop {
        let before = touched
            .iter()
            .filter(|&&c| merges_back(c) && !touched.contains(&(c - 1)))
            .map(|&c| c - 1);
        let after = touched
            .iter()
            .map(|&c| c + 1)
            .filter(|&c| c < chunks.len() && !touched.contains(&c) && follows_own(c));
        let more: Vec<usize> = before.chain(after).collect();
        if more.is_empty() {
            break;
        }
        touched.extend(more);
    }
    let runs = runs(&touched);
    let patched: Vec<Vec<StemEntry>> = runs
        .par_iter()
        .map(|run| {
            let run = &chunks[run.clone()];
            patched_entries(last, run, changes, frequencies, scorer, chunk_of)
        })
        .collect::<Option<_>>()?;
    let mut listed = Vec::new();
    let mut next = 0;
    for (run, entries) in runs.iter().zip(patched) {
        listed.extend(
            chunks[next..run.start]
                .iter()
                .map(|(first, file)| json!([first, file])),
        );
        if let Value::Array(cut) = format::postings_chunks(files, entries) {
            listed.extend(cut);
        }
        next = run.end;
    }
    listed.extend(
        chunks[next..]
            .iter()
            .map(|(first, file)| json!([first, file])),
    );
    Some(Value::Array(listed))
}

/// Sorted chunk numbers as runs of consecutive ones.
fn runs(chunks: &BTreeSet<usize>) -> Vec<std::ops::Range<usize>> {
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for &c in chunks {
        match runs.last_mut() {
            Some(run) if run.end == c => run.end = c + 1,
            _ => runs.push(c..c + 1),
        }
    }
    runs
}

/// The entries of the last index's chunks `chunks` (consecutive) with the changes of their
/// stems made, sorted: a stem no document has any more is left out, a new one put in.
fn patched_entries<'c>(
    last: &Last,
    chunks: &'c [(String, String)],
    changes: &'c BTreeMap<String, Vec<Change>>,
    frequencies: &BTreeMap<String, u32>,
    scorer: &Scorer,
    chunk_of: impl Fn(&str) -> usize,
) -> Option<Vec<StemEntry<'c>>> {
    let first = chunk_of(&chunks[0].0);
    let mut entries: Vec<StemEntry> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (_, file) in chunks {
        let bytes = read_hashed(&last.dir, file)?;
        for (stem, whole, numbers) in chunk_entries(&bytes)? {
            let entry = match changes.get(&stem) {
                Some(stem_changes) => {
                    let frequency = frequencies[&stem];
                    seen.insert(stem.clone());
                    if frequency == 0 {
                        continue;
                    }
                    StemEntry {
                        bytes: entry(&stem, scorer.weight(frequency), numbers, stem_changes),
                        stem: stem.into(),
                        frequency,
                    }
                }
                None => StemEntry {
                    frequency: last.state.frequency(&stem),
                    stem: stem.into(),
                    bytes: whole.to_vec(),
                },
            };
            entries.push(entry);
        }
    }
    // Stems no document had, now in these chunks.
    for (stem, stem_changes) in changes {
        let chunk = chunk_of(stem);
        if seen.contains(stem) || chunk < first || chunk >= first + chunks.len() {
            continue;
        }
        let frequency = frequencies[stem];
        if frequency > 0 {
            entries.push(StemEntry {
                bytes: entry(stem, scorer.weight(frequency), b"", stem_changes),
                stem: stem.as_str().into(),
                frequency,
            });
        }
    }
    entries.sort_by(|a, b| a.stem.cmp(&b.stem));
    Some(entries)
}

/// A stem's postings entry, `"stem":[weight,…]`, from its last postings with `changes` made.
fn entry(stem: &str, weight: f64, numbers: &[u8], changes: &[Change]) -> Vec<u8> {
    let mut bytes = format::entry_head(stem, weight);
    let mut sorted = changes.to_vec();
    sorted.sort_by_key(|c| c.document);
    bytes.extend(splice(numbers, &sorted));
    bytes.push(b']');
    bytes
}

/// The last index's file `name` (`kind-<hash>.json`), if its bytes still have that hash: the
/// files patched are exactly those the last build wrote.
fn read_hashed(dir: &Path, name: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(dir.join(name)).ok()?;
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    name.ends_with(&format!("-{hash:016x}.json"))
        .then_some(bytes)
}

/// A stem of a postings chunk, its whole entry's bytes and its postings' numbers.
type ChunkEntry<'b> = (String, &'b [u8], &'b [u8]);

/// The entries of a postings chunk, `{"stem":[weight,…],…}`: each stem, its whole entry's
/// bytes, and its postings' numbers (after the weight). A chunk is folio's own JSON: strings
/// only as keys, values arrays of numbers.
fn chunk_entries(bytes: &[u8]) -> Option<Vec<ChunkEntry<'_>>> {
    let mut entries = Vec::new();
    let mut at = 1;
    if bytes.first() != Some(&b'{') {
        return None;
    }
    while bytes.get(at) == Some(&b'"') {
        let start = at;
        at += 1;
        loop {
            match bytes.get(at)? {
                b'\\' => at += 2,
                b'"' => break,
                _ => at += 1,
            }
        }
        let stem: String = serde_json::from_slice(&bytes[start..=at]).ok()?;
        let open = at + 2;
        if bytes.get(at + 1) != Some(&b':') || bytes.get(open) != Some(&b'[') {
            return None;
        }
        let close = open + bytes[open..].iter().position(|&b| b == b']')?;
        let value = &bytes[open + 1..close];
        let numbers = &value[value
            .iter()
            .position(|&b| b == b',')
            .map_or(value.len(), |c| c + 1)..];
        entries.push((stem, &bytes[start..=close], numbers));
        at = close + 1;
        match bytes.get(at)? {
            b',' => at += 1,
            b'}' => break,
            _ => return None,
        }
    }
    Some(entries)
}

/// Postings numbers, `document, impact, place, …` with each document after the first as the
/// difference from the one before (`format::write_postings`), with `changes` (sorted by
/// document) made. Only the numbers up to the last change are read: after it, once a
/// difference means what it meant, the rest is copied.
fn splice(numbers: &[u8], changes: &[Change]) -> Vec<u8> {
    let mut out = Vec::with_capacity(numbers.len() + 16);
    let mut changes = changes.iter().peekable();
    let (mut old_previous, mut new_previous) = (0u32, 0u32);
    let mut at = 0;
    while at < numbers.len() {
        if changes.peek().is_none() && old_previous == new_previous {
            separate(&mut out);
            out.extend_from_slice(&numbers[at..]);
            return out;
        }
        let (difference, after_it) = read_number(numbers, at);
        let end = after_it
            + numbers[after_it..]
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b',')
                .map(|(n, _)| n)
                .nth(2)
                .unwrap_or(numbers.len() - after_it);
        let document = old_previous + difference;
        while let Some(change) = changes.next_if(|c| c.document < document) {
            if let Some(posting) = change.after {
                write_posting(&mut out, change.document - new_previous, posting);
                new_previous = change.document;
            }
        }
        match changes.next_if(|c| c.document == document) {
            Some(change) => {
                if let Some(posting) = change.after {
                    write_posting(&mut out, document - new_previous, posting);
                    new_previous = document;
                }
            }
            None => {
                separate(&mut out);
                out.extend_from_slice(
                    itoa::Buffer::new()
                        .format(document - new_previous)
                        .as_bytes(),
                );
                out.extend_from_slice(&numbers[after_it..end]);
                new_previous = document;
            }
        }
        old_previous = document;
        at = end + 1;
    }
    for change in changes {
        if let Some(posting) = change.after {
            write_posting(&mut out, change.document - new_previous, posting);
            new_previous = change.document;
        }
    }
    out
}

fn separate(out: &mut Vec<u8>) {
    if !out.is_empty() {
        out.push(b',');
    }
}

fn write_posting(out: &mut Vec<u8>, difference: u32, (impact, place): (u8, u32)) {
    separate(out);
    let mut number = itoa::Buffer::new();
    out.extend_from_slice(number.format(difference).as_bytes());
    out.push(b',');
    out.extend_from_slice(number.format(impact).as_bytes());
    out.push(b',');
    out.extend_from_slice(number.format(place).as_bytes());
}

/// The number at `at` and where it ends.
fn read_number(bytes: &[u8], mut at: usize) -> (u32, usize) {
    let mut n = 0u32;
    while let Some(digit) = bytes.get(at).filter(|b| b.is_ascii_digit()) {
        n = n.wrapping_mul(10).wrapping_add(u32::from(digit - b'0'));
        at += 1;
    }
    (n, at)
}

/// How many documents have each word after the edits, by number (the vocabulary now `count`
/// words).
fn word_documents(state: &State, edits: &[Edit], count: usize) -> Vec<u32> {
    let mut counts = state.word_documents.clone();
    counts.resize(count, 0);
    for edit in edits {
        for (word, _) in edit.old.words() {
            counts[word as usize] = counts[word as usize].saturating_sub(1);
        }
        for (word, _) in edit.new.words() {
            counts[word as usize] += 1;
        }
    }
    counts
}

/// Whether a word came into the site or left it.
fn used_words_changed(state: &State, counts: &[u32]) -> bool {
    counts.iter().enumerate().any(|(n, &count)| {
        let before = state.word_documents.get(n).copied().unwrap_or(0);
        (before > 0) != (count > 0)
    })
}

/// The words some document has, sorted, each with its stem (as `index::invert` lists them).
fn used_words(
    words: &[String],
    counts: &[u32],
    stemmer: Option<&Stemmer>,
) -> Vec<(String, String)> {
    let mut used: Vec<(String, String)> = words
        .par_iter()
        .zip(counts)
        .filter(|(_, count)| **count > 0)
        .map(|(word, _)| {
            let stem = match stemmer {
                Some(stemmer) => stemmer.stem(word).into_owned(),
                None => word.clone(),
            };
            (word.clone(), stem)
        })
        .collect();
    used.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    used
}

/// The document chunks of the edited documents made again; the manifest's string of their
/// hashes with theirs changed.
fn patched_documents(
    given: &Given,
    last: &Last,
    edits: &[Edit],
    files: &mut Vec<IndexFile>,
) -> Option<String> {
    let mut hashes = last.manifest.document_hashes.clone();
    let size = format::DOCUMENT_CHUNK;
    let chunks: BTreeSet<usize> = edits.iter().map(|e| e.document / size).collect();
    for chunk in chunks {
        let members = chunk * size..((chunk + 1) * size).min(given.keys.len());
        let documents: Vec<Document> = members
            .map(|n| {
                let parts = given.sources[n].parts(given.site);
                let analysed = match edits.iter().find(|e| e.document == n) {
                    Some(edit) => edit.new.clone(),
                    None => given.kept.get(given.keys[n].text)?,
                };
                Some(Document {
                    card: parts.card,
                    filters: parts.filters,
                    text_key: given.keys[n].text,
                    analysed: std::sync::Arc::new(analysed),
                })
            })
            .collect::<Option<_>>()?;
        let bytes = format::document_chunk(&documents);
        let hash = format::short_hash(&bytes);
        hashes.get(chunk * 8..chunk * 8 + 8)?;
        hashes.replace_range(chunk * 8..chunk * 8 + 8, &hash);
        files.push(format::document_file(chunk, &hash, bytes));
    }
    Some(hashes)
}

/// The filters' file with the edited documents' values as they are now.
fn patched_filters(given: &Given, last: &Last, edits: &[Edit]) -> Option<Vec<u8>> {
    type Gaps = BTreeMap<String, BTreeMap<String, Vec<u32>>>;
    let bytes = read_hashed(&last.dir, &last.manifest.filters)?;
    let old: Gaps = serde_json::from_slice(&bytes).ok()?;
    let mut sets: BTreeMap<String, BTreeMap<String, BTreeSet<u32>>> = old
        .into_iter()
        .map(|(filter, values)| {
            let values = values.into_iter().map(|(value, gaps)| {
                let documents = gaps.into_iter().scan(0, |at, gap| {
                    *at += gap;
                    Some(*at)
                });
                (value, documents.collect())
            });
            (filter, values.collect())
        })
        .collect();
    for edit in edits {
        let n = edit.document as u32;
        sets.values_mut()
            .flat_map(|values| values.values_mut())
            .for_each(|documents| {
                documents.remove(&n);
            });
        for (filter, value) in given.sources[edit.document].parts(given.site).filters {
            let values = sets.entry(filter.to_string()).or_default();
            values.entry(value).or_default().insert(n);
        }
    }
    let gaps: Gaps = sets
        .into_iter()
        .map(|(filter, values)| {
            let values: BTreeMap<String, Vec<u32>> = values
                .into_iter()
                .filter(|(_, documents)| !documents.is_empty())
                .map(|(value, documents)| {
                    let mut previous = 0;
                    let gaps = documents.into_iter().map(|n| {
                        let gap = n - previous;
                        previous = n;
                        gap
                    });
                    (value, gaps.collect())
                })
                .collect();
            (filter, values)
        })
        .filter(|(_, values)| !values.is_empty())
        .collect();
    serde_json::to_vec(&gaps).ok()
}

/// The files the manifest names that are not among `files`: the last index's, kept.
fn kept_names(manifest: &Manifest, files: &[IndexFile]) -> Vec<String> {
    let written: HashSet<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let listed = |chunks: &Value| -> Vec<String> {
        chunks
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|chunk| chunk[1].as_str().map(String::from))
            .collect()
    };
    let mut names = listed(&manifest.vocabulary);
    names.extend(listed(&manifest.postings));
    let hashes = manifest.document_hashes.as_bytes().chunks(8);
    names.extend(
        hashes
            .enumerate()
            .map(|(n, hash)| format!("documents-{n}-{}.json", String::from_utf8_lossy(hash))),
    );
    names.push(manifest.filters.clone());
    names.retain(|name| !written.contains(name.as_str()));
    names
}

/// The stems and their frequencies after the edits.
fn new_stems(state: &State, frequencies: &BTreeMap<String, u32>) -> Vec<(String, u32)> {
    let mut stems = state.stems.clone();
    for (stem, &frequency) in frequencies {
        match (state.stem(stem), frequency) {
            (Ok(at), 0) => stems[at].1 = 0,
            (Ok(at), _) => stems[at].1 = frequency,
            (Err(_), 0) => {}
            (Err(_), _) => stems.push((stem.clone(), frequency)),
        }
    }
    stems.retain(|(_, frequency)| *frequency > 0);
    stems.sort_by(|a, b| a.0.cmp(&b.0));
    stems
}

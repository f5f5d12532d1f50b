//! The inverted index of the site's documents: distinct words stemmed once, each stem's
//! postings scored with BM25F and stored as integer impacts.

use super::analyse::{FIELD_COUNT, TITLE, TermCounts, pack, unpack};
use super::format::Document;
use foldhash::HashMap;
use rayon::prelude::*;
use rust_stemmers::Stemmer;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// BM25F's weights per field: title, headings, summary, body, notes, authors/topics/type/year.
const FIELD_WEIGHTS: [f64; FIELD_COUNT] = [7.0, 5.0, 2.0, 1.0, 1.0, 1.5];
/// BM25's saturation: 1.4 as Pagefind's, a little slower than the textbook 1.2.
const K1: f64 = 1.4;
/// Added, times the stem's IDF, when the title has the stem: outside BM25's saturation, as a
/// brief that uses a word fifty times is no more about it than one whose title names it.
/// (A query whose every word is in a title puts that brief first: the browser does that, from
/// the postings' title mark.)
const TITLE_BONUS: f64 = 1.0;
const B: f64 = 0.75;

/// One document's entry in a stem's postings, packed in a `u64`: the document's number, its
/// impact (the BM25F score scaled to 1–255 against the stem's highest, its `weight`), the
/// first section whose heading or text has the stem (0: before any heading), and whether the
/// document's title has the stem.
#[derive(Debug, Clone, Copy)]
#[repr(transparent)]
pub struct Posting(u64);

impl Posting {
    fn new(document: u32, impact: u8, section: u16, in_title: bool) -> Posting {
        Posting(
            u64::from(document)
                | u64::from(impact) << 32
                | u64::from(section) << 40
                | u64::from(in_title) << 56,
        )
    }

    pub fn document(self) -> u32 {
        self.0 as u32
    }

    pub fn impact(self) -> u8 {
        (self.0 >> 32) as u8
    }

    pub fn section(self) -> u16 {
        (self.0 >> 40) as u16
    }

    pub fn in_title(self) -> bool {
        self.0 >> 56 != 0
    }
}

/// The site's words, their stems and each stem's postings, all sorted.
pub struct Inverted {
    /// Each surface word with the number of its stem in `stems`.
    pub words: Vec<(String, u32)>,
    pub stems: Vec<String>,
    /// Every stem's postings, stem after stem, each stem's in the documents' order: stem `s`'s
    /// are `postings[starts[s]..starts[s + 1]]`. One array, not one a stem: at 10,000 briefs
    /// there are ~7 million.
    postings: Vec<Posting>,
    starts: Vec<usize>,
    /// Each stem's highest score: a posting's score is its impact / 255 × this. Scaled per
    /// stem, not to the site's highest, so that a word every brief has (whose scores are all
    /// tiny) still ranks its documents in 255 steps.
    pub weights: Vec<f64>,
}

impl Inverted {
    /// Stem `stem`'s postings.
    pub fn postings(&self, stem: usize) -> &[Posting] {
        &self.postings[self.starts[stem]..self.starts[stem + 1]]
    }
}

/// The index of `documents`, whose words are numbered in `words`.
pub fn invert(documents: &[Document], words: &[String], stemmer: Option<&Stemmer>) -> Inverted {
    let (words, stems, stem_of) = stemmed_vocabulary(documents, words, stemmer);
    let (postings, starts, weights) = postings(documents, &stem_of, stems.len());
    Inverted {
        words,
        stems,
        postings,
        starts,
        weights,
    }
}

/// The words some document has, sorted, with their stems' numbers; the stems, sorted; and
/// each word number's stem number (`u32::MAX` for a word no document has any more).
fn stemmed_vocabulary(
    documents: &[Document],
    words: &[String],
    stemmer: Option<&Stemmer>,
) -> (Vec<(String, u32)>, Vec<String>, Vec<u32>) {
    let used: Vec<AtomicBool> = words.iter().map(|_| AtomicBool::new(false)).collect();
    documents.par_iter().for_each(|document| {
        for (word, _) in document.analysed.words() {
            used[word as usize].store(true, Ordering::Relaxed);
        }
    });
    let mut distinct: Vec<u32> = (0..words.len() as u32)
        .filter(|&n| used[n as usize].load(Ordering::Relaxed))
        .collect();
    distinct.par_sort_unstable_by(|&a, &b| words[a as usize].cmp(&words[b as usize]));
    let stemmed: Vec<String> = distinct
        .par_iter()
        .map(|&n| match stemmer {
            Some(stemmer) => stemmer.stem(&words[n as usize]).into_owned(),
            None => words[n as usize].clone(),
        })
        .collect();
    let mut stems = stemmed.clone();
    stems.par_sort_unstable();
    stems.dedup();
    let number: HashMap<&str, u32> = stems
        .iter()
        .enumerate()
        .map(|(n, s)| (s.as_str(), n as u32))
        .collect();
    let mut stem_of = vec![u32::MAX; words.len()];
    let listed = distinct
        .iter()
        .zip(&stemmed)
        .map(|(&word, stem)| {
            stem_of[word as usize] = number[stem.as_str()];
            (words[word as usize].clone(), number[stem.as_str()])
        })
        .collect();
    (listed, stems, stem_of)
}

/// A document's counts per stem (its surface words' counts added), packed. `slots` is a
/// scratch array with a place for every stem, all `u32::MAX`, and left so: a stem's place in
/// the document's list is found there, without sorting the document's words.
fn packed_stem_counts(document: &Document, stem_of: &[u32], slots: &mut [u32]) -> Vec<u8> {
    let mut counts: Vec<(u32, TermCounts)> = Vec::with_capacity(1024);
    for (word, word_counts) in document.analysed.words() {
        let stem = stem_of[word as usize];
        match slots[stem as usize] {
            u32::MAX => {
                slots[stem as usize] = counts.len() as u32;
                counts.push((stem, word_counts));
            }
            at => counts[at as usize].1.merge(&word_counts),
        }
    }
    let mut packed = Vec::with_capacity(counts.len() * 6);
    for (stem, counts) in &counts {
        slots[*stem as usize] = u32::MAX;
        pack(&mut packed, *stem, counts);
    }
    packed
}

/// Each stem's postings, scored with BM25F against the site's document lengths and
/// frequencies, in one array with each stem's start. Each document's counts are gathered by
/// stem once and kept packed (~6 bytes a stem, ~35 MB at 10,000 briefs), then read in three
/// passes: how many documents of each batch have each stem (which places every posting in
/// the array), each stem's highest score, the postings themselves, written by the batches in
/// parallel into their own places.
fn postings(
    documents: &[Document],
    stem_of: &[u32],
    stem_count: usize,
) -> (Vec<Posting>, Vec<usize>, Vec<f64>) {
    let by_stem: Vec<Vec<u8>> = documents
        .par_iter()
        .map_init(
            || vec![u32::MAX; stem_count],
            |slots, document| packed_stem_counts(document, stem_of, slots),
        )
        .collect();
    // A few batches a thread: each keeps a count (then a cursor) for every stem.
    let batch = documents
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(256);
    let (starts, cursors) = places(&by_stem, batch, stem_count);
    let frequency: Vec<u32> = starts.windows(2).map(|w| (w[1] - w[0]) as u32).collect();
    let scorer = Scorer::new(documents, &frequency);
    let highest = highest_scores(&scorer, documents, &by_stem, stem_count);
    let batches = Batches {
        documents,
        by_stem: &by_stem,
        size: batch,
    };
    let postings = placed_postings(&scorer, &highest, &batches, cursors, starts[stem_count]);
    (postings, starts, highest)
}

/// Where each stem's postings start in the one array (and, last, their total), and for each
/// batch of `batch` documents, where its first posting of each stem goes.
fn places(by_stem: &[Vec<u8>], batch: usize, stem_count: usize) -> (Vec<usize>, Vec<Vec<usize>>) {
    let mut cursors: Vec<Vec<usize>> = by_stem
        .par_chunks(batch)
        .map(|counts| {
            let mut frequency = vec![0usize; stem_count];
            for (stem, _) in counts.iter().flat_map(|c| unpack(c)) {
                frequency[stem as usize] += 1;
            }
            frequency
        })
        .collect();
    let mut starts = Vec::with_capacity(stem_count + 1);
    let mut total = 0;
    for stem in 0..stem_count {
        starts.push(total);
        for cursor in cursors.iter_mut() {
            let count = cursor[stem];
            cursor[stem] = total;
            total += count;
        }
    }
    starts.push(total);
    (starts, cursors)
}

/// Each stem's highest score over the documents.
fn highest_scores(
    scorer: &Scorer,
    documents: &[Document],
    by_stem: &[Vec<u8>],
    stem_count: usize,
) -> Vec<f64> {
    documents
        .par_iter()
        .zip(by_stem)
        .fold(
            || vec![f64::MIN_POSITIVE; stem_count],
            |mut highest, (document, counts)| {
                for (stem, score, _) in scorer.scores(document, unpack(counts)) {
                    highest[stem as usize] = highest[stem as usize].max(score);
                }
                highest
            },
        )
        .reduce(
            || vec![f64::MIN_POSITIVE; stem_count],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(a, b)| *a = a.max(b));
                a
            },
        )
}

/// The documents with their counts by stem, in batches of `size`.
struct Batches<'d> {
    documents: &'d [Document],
    by_stem: &'d [Vec<u8>],
    size: usize,
}

/// Every posting, scored and scaled to its stem's highest, written by each batch at its
/// cursors into one array of `total`.
fn placed_postings(
    scorer: &Scorer,
    highest: &[f64],
    batches: &Batches<'_>,
    cursors: Vec<Vec<usize>>,
    total: usize,
) -> Vec<Posting> {
    let placed: Vec<AtomicU64> = (0..total).map(|_| AtomicU64::new(0)).collect();
    batches
        .documents
        .par_chunks(batches.size)
        .zip(batches.by_stem.par_chunks(batches.size))
        .zip(cursors)
        .enumerate()
        .for_each(|(n, ((chunk, counts), mut cursor))| {
            let first = n * batches.size;
            for (at, (document, counts)) in chunk.iter().zip(counts).enumerate() {
                for (stem, score, counts) in scorer.scores(document, unpack(counts)) {
                    let impact = (score / highest[stem as usize] * 255.0)
                        .round()
                        .clamp(1.0, 255.0) as u8;
                    let posting = Posting::new(
                        (first + at) as u32,
                        impact,
                        counts.section,
                        counts.per_field[TITLE] > 0,
                    );
                    placed[cursor[stem as usize]].store(posting.0, Ordering::Relaxed);
                    cursor[stem as usize] += 1;
                }
            }
        });
    // Same size and alignment: the array is reused, not copied.
    placed
        .into_iter()
        .map(|p| Posting(p.into_inner()))
        .collect()
}

/// BM25F with the site's mean document length and each stem's inverse document frequency.
/// A stem's weighted count over the fields is normalised by the whole document's length, not
/// field by field: a title is short in every brief, and a short title should not outrank a
/// brief that says more about the word.
struct Scorer {
    average: f64,
    idf: Vec<f64>,
}

impl Scorer {
    fn new(documents: &[Document], frequency: &[u32]) -> Scorer {
        let total = documents.len() as f64;
        let idf = frequency
            .iter()
            .map(|&df| ((total - df as f64 + 0.5) / (df as f64 + 0.5) + 1.0).ln())
            .collect();
        Scorer {
            average: average_length(documents),
            idf,
        }
    }

    /// Each stem's score in `document`, with its section.
    fn scores<'c>(
        &'c self,
        document: &Document,
        counts: impl Iterator<Item = (u32, TermCounts)> + 'c,
    ) -> impl Iterator<Item = (u32, f64, TermCounts)> + 'c {
        let norm = K1 * (1.0 - B + B * length(document) / self.average);
        counts.map(move |(stem, counts)| {
            let tf: f64 = (0..FIELD_COUNT)
                .map(|f| FIELD_WEIGHTS[f] * counts.per_field[f] as f64)
                .sum();
            let in_title = if counts.per_field[TITLE] > 0 {
                TITLE_BONUS
            } else {
                0.0
            };
            let score = self.idf[stem as usize] * ((K1 + 1.0) * tf / (norm + tf) + in_title);
            (stem, score, counts)
        })
    }
}

/// A document's length in words, all fields.
fn length(document: &Document) -> f64 {
    document.analysed.lengths.iter().map(|&l| l as f64).sum()
}

/// The documents' mean length (at least 1).
fn average_length(documents: &[Document]) -> f64 {
    let sum: f64 = documents.iter().map(length).sum();
    (sum / documents.len().max(1) as f64).max(1.0)
}

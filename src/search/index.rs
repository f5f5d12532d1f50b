//! The inverted index of the site's documents: distinct words stemmed once, each stem's
//! postings scored with BM25F and stored as integer impacts.

use super::analyse::{FIELD_COUNT, TITLE, TermCounts, read_number};
use super::format::Document;
use super::short_bytes::ShortBytes;
use foldhash::HashMap;
use rayon::prelude::*;
use rust_stemmers::Stemmer;
use std::sync::atomic::{AtomicU64, Ordering};

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
/// impact (the stem's BM25F score without its IDF, on a fixed scale of 1–255: see
/// `Scorer::impact`), the
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

    /// The posting's section × 2, plus 1 when the title has the stem, as the index's files
    /// write it.
    pub fn place(self) -> u32 {
        u32::from(self.section()) * 2 + u32::from(self.in_title())
    }

    /// The posting of `document` with `impact` at `place` (as `place` gives it).
    fn placed(document: u32, impact: u8, place: u32) -> Posting {
        Posting::new(document, impact, (place >> 1) as u16, place & 1 != 0)
    }
}

/// The site's words, their stems and each stem's postings, all sorted.
pub struct Inverted {
    /// Each surface word with the number of its stem in `stems`.
    pub words: Vec<(String, u32)>,
    pub stems: Vec<String>,
    /// How many documents have each word, by its number in the build's vocabulary.
    pub word_documents: Vec<u32>,
    /// Every stem's postings, stem after stem, each stem's in the documents' order: stem `s`'s
    /// are `postings[starts[s]..starts[s + 1]]`. One array, not one a stem: at 10,000 briefs
    /// there are ~7 million.
    postings: Vec<Posting>,
    starts: Vec<usize>,
    /// Each stem's weight: a posting's score is its impact × this (`Scorer::weight`).
    pub weights: Vec<f64>,
}

impl Inverted {
    /// Stem `stem`'s postings.
    pub fn postings(&self, stem: usize) -> &[Posting] {
        &self.postings[self.starts[stem]..self.starts[stem + 1]]
    }

    /// How many documents have stem `stem`.
    pub fn frequency(&self, stem: usize) -> u32 {
        (self.starts[stem + 1] - self.starts[stem]) as u32
    }
}

/// The index of `documents`, whose words are numbered in `words`, each had by
/// `word_documents[word]` of them.
/// `None` once `stop` says so: it is looked at between steps and before each document's
/// postings, so a preview's next edit waits milliseconds for it, not the whole step.
pub fn invert(
    documents: &[Document],
    words: &[String],
    word_documents: Vec<u32>,
    stemmer: Option<&Stemmer>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Inverted> {
    let (words, stems, stem_of) = stemmed_vocabulary(&word_documents, words, stemmer, stop)?;
    let (postings, starts, weights) = postings(documents, &stem_of, stems.len(), stop)?;
    Some(Inverted {
        words,
        stems,
        word_documents,
        postings,
        starts,
        weights,
    })
}

/// `stemmed_vocabulary`'s words with their stems' numbers, stems, and each word's stem.
type StemmedVocabulary = (Vec<(String, u32)>, Vec<String>, Vec<u32>);

/// The words some document has, sorted, with their stems' numbers; the stems, sorted; and
/// each word number's stem number (`u32::MAX` for a word no document has any more). `None`
/// once `stop` says so.
fn stemmed_vocabulary(
    word_documents: &[u32],
    words: &[String],
    stemmer: Option<&Stemmer>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<StemmedVocabulary> {
    let mut distinct: Vec<u32> = (0..words.len() as u32)
        .filter(|&n| word_documents[n as usize] > 0)
        .collect();
    distinct.par_sort_unstable_by(|&a, &b| words[a as usize].cmp(&words[b as usize]));
    let stemmed: Vec<String> = distinct
        .par_iter()
        .map(|&n| match stemmer {
            Some(stemmer) => stemmer.stem(&words[n as usize]).into_owned(),
            None => words[n as usize].clone(),
        })
        .collect();
    if stop() {
        return None;
    }
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
    Some((listed, stems, stem_of))
}

/// One batch's documents' postings, scored but not yet placed: for each document, in order,
/// how many stems it has; for each of those, packed in LEB128 (~4 bytes), the stem's number,
/// the impact and the place (section × 2, plus 1 when the title has the stem).
#[derive(Default)]
struct Scored {
    bytes: Vec<u8>,
    stems: Vec<u32>,
}

impl Scored {
    /// Adds `document`'s postings: its surface words' counts added by stem, each stem scored
    /// and counted in `frequency`.
    fn add(
        &mut self,
        document: &Document,
        given: &Scoring,
        scratch: &mut Scratch,
        frequency: &mut [usize],
    ) {
        let Scratch { slots, counts } = scratch;
        for (word, word_counts) in document.analysed.words() {
            let stem = given.stem_of[word as usize];
            match slots[stem as usize] {
                u32::MAX => {
                    slots[stem as usize] = counts.len() as u32;
                    counts.push((stem, word_counts));
                }
                at => counts[at as usize].1.merge(&word_counts),
            }
        }
        let length = length(document);
        self.bytes.reserve(counts.len() * 4);
        for (stem, counts) in counts.iter() {
            slots[*stem as usize] = u32::MAX;
            frequency[*stem as usize] += 1;
            let (impact, place) = given.scorer.posting(length, counts);
            let mut packed = ShortBytes::default();
            packed.leb128(*stem);
            packed.push(impact);
            packed.leb128(place);
            packed.add_to(&mut self.bytes);
        }
        self.stems.push(counts.len() as u32);
        counts.clear();
    }

    /// The postings of the batch whose first document is `first`, each with its stem.
    fn postings(&self, first: usize) -> impl Iterator<Item = (u32, Posting)> + '_ {
        let mut bytes = self.bytes.as_slice();
        self.stems
            .iter()
            .enumerate()
            .flat_map(move |(at, &stems)| (0..stems).map(move |_| (first + at) as u32))
            .map(move |document| {
                let stem = read_number(&mut bytes);
                let impact = bytes[0];
                bytes = &bytes[1..];
                let place = read_number(&mut bytes);
                (stem, Posting::placed(document, impact, place))
            })
    }
}

/// What scores a document's postings: each word's stem and the site's scorer.
struct Scoring<'s> {
    stem_of: &'s [u32],
    scorer: Scorer,
}

/// A thread's scratch arrays for `Scored::add`, each left as it was found: `slots` has a
/// place for every stem, all `u32::MAX`, where a stem's place in `counts` (left empty) is
/// found without sorting the document's words.
struct Scratch {
    slots: Vec<u32>,
    counts: Vec<(u32, TermCounts)>,
}

/// Each stem's postings, scored with BM25F against the site's document lengths and
/// frequencies, in one array with each stem's start, and each stem's weight. Each document's
/// counts are gathered by stem and scored once, kept packed (~4 bytes a stem, ~30 MB at
/// 10,000 briefs), counting how many documents of each batch have each stem (which places
/// every posting in the array); then read again and written by the batches in parallel into
/// their own places.
fn postings(
    documents: &[Document],
    stem_of: &[u32],
    stem_count: usize,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<(Vec<Posting>, Vec<usize>, Vec<f64>)> {
    // A few batches a thread: each keeps a count (then a cursor) for every stem.
    let batch = documents
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(256);
    let given = Scoring {
        stem_of,
        scorer: Scorer::new(documents),
    };
    let batches: Vec<(Scored, Vec<usize>)> = documents
        .par_chunks(batch)
        .map_init(
            || Scratch {
                slots: vec![u32::MAX; stem_count],
                counts: Vec::with_capacity(1024),
            },
            |scratch, chunk| {
                let mut frequency = vec![0; stem_count];
                let mut scored = Scored::default();
                for document in chunk {
                    if stop() {
                        break;
                    }
                    scored.add(document, &given, scratch, &mut frequency);
                }
                // Grown by doubling, the bytes' room is up to twice their length: all the
                // batches' are held until every posting is placed.
                scored.bytes.shrink_to_fit();
                (scored, frequency)
            },
        )
        .collect();
    // A batch stopped part way is dropped with the rest.
    if stop() {
        return None;
    }
    let (scored, frequencies): (Vec<Scored>, Vec<Vec<usize>>) = batches.into_iter().unzip();
    let (starts, cursors) = places(frequencies, stem_count);
    let weights = starts
        .windows(2)
        .map(|w| given.scorer.weight((w[1] - w[0]) as u32))
        .collect();
    if stop() {
        return None;
    }
    let postings = placed_postings(scored, batch, cursors, starts[stem_count]);
    Some((postings, starts, weights))
}

/// Where each stem's postings start in the one array (and, last, their total), and for each
/// batch, from how many of its documents have each stem (`frequencies`), where its first
/// posting of each stem goes.
fn places(mut cursors: Vec<Vec<usize>>, stem_count: usize) -> (Vec<usize>, Vec<Vec<usize>>) {
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

/// Every posting of the batches of `size` documents, written by each batch at its cursors
/// into one array of `total`; each batch's scored postings dropped once placed.
fn placed_postings(
    batches: Vec<Scored>,
    size: usize,
    cursors: Vec<Vec<usize>>,
    total: usize,
) -> Vec<Posting> {
    let placed: Vec<AtomicU64> = (0..total)
        .into_par_iter()
        .map(|_| AtomicU64::new(0))
        .collect();
    batches
        .into_par_iter()
        .zip(cursors)
        .enumerate()
        .for_each(|(n, (scored, mut cursor))| {
            for (stem, posting) in scored.postings(n * size) {
                placed[cursor[stem as usize]].store(posting.0, Ordering::Relaxed);
                cursor[stem as usize] += 1;
            }
        });
    // Same size and alignment: the array is reused, not copied.
    placed
        .into_iter()
        .map(|p| Posting(p.into_inner()))
        .collect()
}

/// BM25F with the site's mean document length, rounded (`stable_average`), and its number
/// of documents. A posting's score is split in two: its impact, which depends on the document
/// alone (its counts of the stem and its length against the mean), and the stem's weight, its
/// IDF, which depends on how many documents have the stem. So an edit of one brief changes
/// that brief's impacts and the weights of the stems it gains or loses, never the impacts of
/// another brief: the build then rewrites only the postings that hold them (`patch`).
#[derive(PartialEq)]
pub struct Scorer {
    average: f64,
    documents: f64,
}

/// The highest score, without IDF, a stem can have in a document: BM25's saturation bound
/// plus the title's bonus. Impacts are fractions of it in 255 steps (~0.013 each).
const HIGHEST: f64 = K1 + 1.0 + TITLE_BONUS;

impl Scorer {
    pub fn new(documents: &[Document]) -> Scorer {
        let total: u64 = documents.iter().map(length).sum();
        Scorer::with_lengths(total, documents.len())
    }

    /// The scorer of `documents` documents whose lengths add up to `total`.
    pub fn with_lengths(total: u64, documents: usize) -> Scorer {
        Scorer {
            average: stable_average(total, documents),
            documents: documents as f64,
        }
    }

    /// A stem's weight when `frequency` documents have it: its IDF, times the step of an
    /// impact.
    pub fn weight(&self, frequency: u32) -> f64 {
        let df = f64::from(frequency);
        let idf = ((self.documents - df + 0.5) / (df + 0.5) + 1.0).ln();
        idf * HIGHEST / 255.0
    }

    /// A stem's impact and place (`Posting::place`) in a document of `length` words that has
    /// it `counts` times.
    pub fn posting(&self, length: u64, counts: &TermCounts) -> (u8, u32) {
        let place = Posting::new(0, 0, counts.section, counts.per_field[TITLE] > 0).place();
        (self.impact(length, counts), place)
    }

    /// A stem's impact in a document of `length` words that has it `counts` times: its BM25F
    /// term score (the fields' weighted count, saturated against the document's length) plus
    /// the title's bonus, in 255 steps of `HIGHEST`, at least 1.
    pub fn impact(&self, length: u64, counts: &TermCounts) -> u8 {
        let norm = K1 * (1.0 - B + B * length as f64 / self.average);
        let tf: f64 = (0..FIELD_COUNT)
            .map(|f| FIELD_WEIGHTS[f] * counts.per_field[f] as f64)
            .sum();
        let in_title = if counts.per_field[TITLE] > 0 {
            TITLE_BONUS
        } else {
            0.0
        };
        let score = (K1 + 1.0) * tf / (norm + tf) + in_title;
        (score / HIGHEST * 255.0).round().clamp(1.0, 255.0) as u8
    }
}

/// The mean of documents' lengths, rounded to 1/64 of an octave (about 1 %), at least 1: an
/// edit of one brief moves the exact mean by a few millionths, which leaves the rounded one,
/// and so every other brief's impacts, as they were.
fn stable_average(total: u64, documents: usize) -> f64 {
    let mean = (total as f64 / documents.max(1) as f64).max(1.0);
    ((mean.log2() * 64.0).round() / 64.0).exp2()
}

/// A document's length in words, all fields.
pub fn length(document: &Document) -> u64 {
    document
        .analysed
        .lengths
        .iter()
        .map(|&l| u64::from(l))
        .sum()
}

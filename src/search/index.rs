//! The inverted index of the site's documents: distinct words stemmed once, each stem's
//! postings scored with BM25F and stored as integer impacts.

use super::analyse::{FIELD_COUNT, TermCounts};
use super::format::Document;
use foldhash::{HashMap, HashSet};
use rayon::prelude::*;
use rust_stemmers::Stemmer;

/// BM25F's weights per field: title, headings, summary, body, notes, authors/topics/type/year.
const FIELD_WEIGHTS: [f64; FIELD_COUNT] = [6.0, 3.0, 2.0, 1.0, 0.7, 2.0];
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// One document's entry in a stem's postings.
#[derive(Debug, Clone, Copy)]
pub struct Posting {
    pub document: u32,
    /// The BM25F score scaled to 1–255 against the site's highest.
    pub impact: u8,
    /// The first section whose heading or text has the stem (0: before any heading).
    pub section: u16,
}

/// The site's words, their stems and each stem's postings, all sorted.
pub struct Inverted {
    /// Each surface word with the number of its stem in `stems`.
    pub words: Vec<(String, u32)>,
    pub stems: Vec<String>,
    /// `postings[s]` is stem `s`'s documents, in the documents' order.
    pub postings: Vec<Vec<Posting>>,
}

pub fn invert(documents: &[Document], stemmer: Option<&Stemmer>) -> Inverted {
    let (words, stems) = stemmed_vocabulary(documents, stemmer);
    let stem_of: HashMap<&str, u32> = words.iter().map(|(w, s)| (w.as_str(), *s)).collect();
    let per_document: Vec<Vec<(u32, TermCounts)>> = documents
        .par_iter()
        .map(|document| stem_counts(document, &stem_of))
        .collect();
    let postings = postings(documents, &per_document, stems.len());
    Inverted {
        words,
        stems,
        postings,
    }
}

/// Every distinct surface word, sorted, with its stem's number; the stems, sorted.
fn stemmed_vocabulary(
    documents: &[Document],
    stemmer: Option<&Stemmer>,
) -> (Vec<(String, u32)>, Vec<String>) {
    let distinct: HashSet<&str> = documents
        .par_iter()
        .fold(HashSet::default, |mut seen, document| {
            seen.extend(document.analysed.words.iter().map(|(w, _)| w.as_str()));
            seen
        })
        .reduce(HashSet::default, |mut a, b| {
            a.extend(b);
            a
        });
    let mut distinct: Vec<&str> = distinct.into_iter().collect();
    distinct.par_sort_unstable();
    let stemmed: Vec<String> = distinct
        .par_iter()
        .map(|word| match stemmer {
            Some(stemmer) => stemmer.stem(word).into_owned(),
            None => word.to_string(),
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
    let words = distinct
        .iter()
        .zip(&stemmed)
        .map(|(word, stem)| (word.to_string(), number[stem.as_str()]))
        .collect();
    (words, stems)
}

/// A document's counts per stem (its surface words' counts added), sorted by stem.
fn stem_counts(document: &Document, stem_of: &HashMap<&str, u32>) -> Vec<(u32, TermCounts)> {
    let mut counts: Vec<(u32, TermCounts)> = document
        .analysed
        .words
        .iter()
        .map(|(word, counts)| (stem_of[word.as_str()], *counts))
        .collect();
    counts.sort_unstable_by_key(|(stem, _)| *stem);
    counts.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1.merge(&later.1);
        }
        same
    });
    counts
}

/// Each stem's postings, scored with BM25F against the site's field lengths and frequencies.
fn postings(
    documents: &[Document],
    per_document: &[Vec<(u32, TermCounts)>],
    stem_count: usize,
) -> Vec<Vec<Posting>> {
    let mut frequency = vec![0u32; stem_count];
    for counts in per_document {
        for (stem, _) in counts {
            frequency[*stem as usize] += 1;
        }
    }
    let averages = average_lengths(documents);
    let total = documents.len() as f64;
    let idf: Vec<f64> = frequency
        .iter()
        .map(|&df| ((total - df as f64 + 0.5) / (df as f64 + 0.5) + 1.0).ln())
        .collect();
    let scores: Vec<Vec<f64>> = documents
        .par_iter()
        .zip(per_document)
        .map(|(document, counts)| {
            let norms: [f64; FIELD_COUNT] = std::array::from_fn(|f| {
                1.0 - B + B * document.analysed.lengths[f] as f64 / averages[f]
            });
            counts
                .iter()
                .map(|(stem, counts)| {
                    let tf: f64 = (0..FIELD_COUNT)
                        .map(|f| FIELD_WEIGHTS[f] * counts.per_field[f] as f64 / norms[f])
                        .sum();
                    idf[*stem as usize] * tf / (K1 + tf)
                })
                .collect()
        })
        .collect();
    let highest = scores
        .iter()
        .flatten()
        .fold(f64::MIN_POSITIVE, |a, &b| a.max(b));
    let mut postings: Vec<Vec<Posting>> = frequency
        .iter()
        .map(|&df| Vec::with_capacity(df as usize))
        .collect();
    for (document, (counts, scores)) in per_document.iter().zip(&scores).enumerate() {
        for ((stem, counts), score) in counts.iter().zip(scores) {
            postings[*stem as usize].push(Posting {
                document: document as u32,
                impact: (score / highest * 255.0).round().clamp(1.0, 255.0) as u8,
                section: counts.section,
            });
        }
    }
    postings
}

/// Each field's mean length over the documents (at least 1).
fn average_lengths(documents: &[Document]) -> [f64; FIELD_COUNT] {
    let mut sums = [0f64; FIELD_COUNT];
    for document in documents {
        for (sum, length) in sums.iter_mut().zip(document.analysed.lengths) {
            *sum += length as f64;
        }
    }
    sums.map(|sum| (sum / documents.len().max(1) as f64).max(1.0))
}

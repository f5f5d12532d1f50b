//! The index's files under `search/index/`: manifest, vocabulary, postings, documents and
//! filters, as JSON with content-hashed names (see docs/SEARCH.md).

use super::analyse::{Analysed, FIELD_COUNT};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// BM25F's weights per field: title, headings, summary, body, notes, authors/topics/type/year.
const FIELD_WEIGHTS: [f64; FIELD_COUNT] = [6.0, 3.0, 2.0, 1.0, 0.7, 2.0];
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Documents per document chunk.
pub const DOCUMENT_CHUNK: usize = 100;
/// Characters of a stem that name its postings chunk.
const POSTING_PREFIX: usize = 2;

/// What a result shows, for one document.
#[derive(Debug, Serialize)]
pub struct Card {
    pub url: String,
    pub title: String,
    pub date: String,
    pub datetime: String,
    pub kind: String,
    pub authors: Vec<String>,
    pub topics: Vec<String>,
    pub summary: String,
}

/// One document to index: its card, filter values and analysed text.
pub struct Document {
    pub card: Card,
    pub filters: Vec<(&'static str, String)>,
    pub analysed: std::sync::Arc<Analysed>,
}

/// A file of the index: its name under `search/index/` and bytes.
pub struct IndexFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Every file of the index for `documents`, numbered in their order.
pub fn files(documents: &[Document], language: &str, stemmed: bool) -> Vec<IndexFile> {
    let mut files = Vec::new();
    let vocabulary = chunked(vocabulary(documents), 1);
    let postings = chunked(postings(documents), POSTING_PREFIX);
    let mut manifest = Map::new();
    manifest.insert("version".into(), json!(1));
    manifest.insert("language".into(), json!(language));
    manifest.insert("stemmed".into(), json!(stemmed));
    manifest.insert("documents".into(), json!(documents.len()));
    manifest.insert("documentChunk".into(), json!(DOCUMENT_CHUNK));
    manifest.insert("postingPrefix".into(), json!(POSTING_PREFIX));
    manifest.insert(
        "vocabulary".into(),
        hashed_map(&mut files, "vocabulary", vocabulary),
    );
    manifest.insert(
        "postings".into(),
        hashed_map(&mut files, "postings", postings),
    );
    let chunks: Vec<Value> = documents
        .chunks(DOCUMENT_CHUNK)
        .enumerate()
        .map(|(n, chunk)| {
            json!(hashed(
                &mut files,
                &format!("documents-{n}"),
                &document_chunk(chunk)
            ))
        })
        .collect();
    manifest.insert("documentChunks".into(), Value::Array(chunks));
    let filters = filters(documents);
    manifest.insert(
        "filters".into(),
        json!(hashed(&mut files, "filters", &filters)),
    );
    files.push(IndexFile {
        name: "manifest.json".into(),
        bytes: serde_json::to_vec(&Value::Object(manifest)).expect("JSON of values"),
    });
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// Writes `value` as a file named `stem-<hash>.json`; returns the name.
fn hashed(files: &mut Vec<IndexFile>, stem: &str, value: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(value).expect("JSON of values");
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    let name = format!("{stem}-{hash:016x}.json");
    files.push(IndexFile {
        name: name.clone(),
        bytes,
    });
    name
}

/// Writes each chunk; returns prefix → file name.
fn hashed_map(
    files: &mut Vec<IndexFile>,
    kind: &str,
    chunks: BTreeMap<String, Map<String, Value>>,
) -> Value {
    let mut names = Map::new();
    for (n, (prefix, chunk)) in chunks.into_iter().enumerate() {
        let name = hashed(files, &format!("{kind}-{n}"), &chunk);
        names.insert(prefix, json!(name));
    }
    Value::Object(names)
}

/// Splits a sorted map into chunks by the first `chars` characters of its keys.
fn chunked(entries: BTreeMap<String, Value>, chars: usize) -> BTreeMap<String, Map<String, Value>> {
    let mut chunks: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for (key, value) in entries {
        let prefix: String = key.chars().take(chars).collect();
        chunks.entry(prefix).or_default().insert(key, value);
    }
    chunks
}

/// Each surface word → its stem ("" when the word is its own stem).
fn vocabulary(documents: &[Document]) -> BTreeMap<String, Value> {
    let mut words = BTreeMap::new();
    for document in documents {
        for (word, stem) in &document.analysed.words {
            if !words.contains_key(word) {
                let shown = if word == stem { "" } else { stem.as_str() };
                words.insert(word.clone(), json!(shown));
            }
        }
    }
    words
}

/// Each stem → `[document, impact, section, …]`: BM25F scores as integers 1–255.
fn postings(documents: &[Document]) -> BTreeMap<String, Value> {
    let averages = average_lengths(documents);
    let mut frequency: BTreeMap<&str, usize> = BTreeMap::new();
    for document in documents {
        for stem in document.analysed.terms.keys() {
            *frequency.entry(stem).or_default() += 1;
        }
    }
    let count = documents.len() as f64;
    let mut scored: BTreeMap<&str, Vec<(usize, f64, u16)>> = BTreeMap::new();
    let mut highest = 0f64;
    for (n, document) in documents.iter().enumerate() {
        for (stem, counts) in &document.analysed.terms {
            let df = frequency[stem.as_str()] as f64;
            let idf = ((count - df + 0.5) / (df + 0.5) + 1.0).ln();
            let tf: f64 = (0..FIELD_COUNT)
                .map(|f| {
                    let norm = 1.0 - B + B * document.analysed.lengths[f] as f64 / averages[f];
                    FIELD_WEIGHTS[f] * counts.per_field[f] as f64 / norm
                })
                .sum();
            let score = idf * tf / (K1 + tf);
            highest = highest.max(score);
            scored
                .entry(stem)
                .or_default()
                .push((n, score, counts.section));
        }
    }
    scored
        .into_iter()
        .map(|(stem, list)| {
            let flat: Vec<Value> = list
                .into_iter()
                .flat_map(|(n, score, section)| {
                    let impact = (score / highest * 255.0).round().clamp(1.0, 255.0) as u8;
                    [json!(n), json!(impact), json!(section)]
                })
                .collect();
            (stem.to_string(), Value::Array(flat))
        })
        .collect()
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

/// The cards of a chunk of documents, with their sections for excerpts and sub-results.
fn document_chunk(documents: &[Document]) -> Vec<Value> {
    documents
        .iter()
        .map(|document| {
            let sections: Vec<Value> = document
                .analysed
                .sections
                .iter()
                .map(|s| json!([s.anchor, s.heading, s.text]))
                .collect();
            let mut card = serde_json::to_value(&document.card).expect("JSON of a card");
            card["sections"] = Value::Array(sections);
            card
        })
        .collect()
}

/// Filter → value → the documents that have it.
fn filters(documents: &[Document]) -> BTreeMap<&'static str, BTreeMap<String, Vec<usize>>> {
    let mut filters: BTreeMap<&'static str, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for (n, document) in documents.iter().enumerate() {
        for (filter, value) in &document.filters {
            let list = filters
                .entry(filter)
                .or_default()
                .entry(value.clone())
                .or_default();
            if list.last() != Some(&n) {
                list.push(n);
            }
        }
    }
    filters
}

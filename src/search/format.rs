//! The index's files under `search/index/`: manifest, vocabulary, postings, documents and
//! filters, as JSON with content-hashed names (see docs/SEARCH.md).

use super::analyse::Analysed;
use super::index::{Inverted, Posting};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Documents per document chunk: a query's first ten results each fetch one chunk, so chunks
/// are small (a result's card and excerpts are ~1.5 KB gzipped).
pub const DOCUMENT_CHUNK: usize = 2;
/// The size, before compression, past which a vocabulary or postings chunk is closed. A stem
/// whose postings alone are larger has a chunk of its own.
const CHUNK_BYTES: usize = 48 * 1024;

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
    /// The key of the text analysed, under which the build cache keeps the analysis.
    pub text_key: u128,
    pub analysed: std::sync::Arc<Analysed>,
}

/// A file of the index: its name under `search/index/` and bytes.
pub struct IndexFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Every file of the index for `documents`, numbered in their order.
pub fn files(
    documents: &[Document],
    inverted: &Inverted,
    language: &str,
    stemmed: bool,
) -> Vec<IndexFile> {
    let mut files = Vec::new();
    let vocabulary = chunked(&mut files, "vocabulary", vocabulary_entries(inverted));
    let postings = chunked(&mut files, "postings", postings_entries(inverted));
    let cards: Vec<Vec<u8>> = documents
        .par_chunks(DOCUMENT_CHUNK)
        .map(document_chunk)
        .collect();
    let hashes: String = cards
        .into_iter()
        .enumerate()
        .map(|(n, bytes)| {
            let hash = short_hash(&bytes);
            files.push(IndexFile {
                name: format!("documents-{n}-{hash}.json"),
                bytes,
            });
            hash
        })
        .collect();
    let filters = serde_json::to_vec(&filters(documents)).expect("JSON of filters");
    let manifest = json!({
        "version": 2,
        "language": language,
        "stemmed": stemmed,
        "documents": documents.len(),
        "documentChunk": DOCUMENT_CHUNK,
        "vocabulary": vocabulary,
        "postings": postings,
        "documentHashes": hashes,
        "filters": hashed(&mut files, "filters", filters),
    });
    files.push(IndexFile {
        name: "manifest.json".into(),
        bytes: serde_json::to_vec(&manifest).expect("JSON of values"),
    });
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// Eight hex digits of a document chunk's hash: its name is `documents-<n>-<hash>.json`, and
/// the manifest lists the chunks as one string of these (at 10,000 briefs, 5,000 names in
/// full made the manifest 195 KB; the string is 40 KB, 22 KB gzipped).
fn short_hash(bytes: &[u8]) -> String {
    format!("{:08x}", xxhash_rust::xxh3::xxh3_64(bytes) as u32)
}

/// Keeps `bytes` as a file named `kind-<hash>.json`; returns the name.
fn hashed(files: &mut Vec<IndexFile>, kind: &str, bytes: Vec<u8>) -> String {
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    let name = format!("{kind}-{hash:016x}.json");
    files.push(IndexFile {
        name: name.clone(),
        bytes,
    });
    name
}

/// Groups sorted `(key, "key":value)` entries into JSON objects of about `CHUNK_BYTES`;
/// returns `[[first key, file], …]` for the manifest.
fn chunked(files: &mut Vec<IndexFile>, kind: &str, entries: Vec<(&str, Vec<u8>)>) -> Value {
    let mut listed = Vec::new();
    let mut chunk: Vec<u8> = Vec::new();
    let mut first = "";
    for (key, entry) in entries {
        if !chunk.is_empty() && chunk.len() + entry.len() > CHUNK_BYTES {
            chunk.push(b'}');
            listed.push(json!([
                first,
                hashed(files, kind, std::mem::take(&mut chunk))
            ]));
        }
        chunk.push(if chunk.is_empty() { b'{' } else { b',' });
        if chunk.len() == 1 {
            first = key;
        }
        chunk.extend_from_slice(&entry);
    }
    if !chunk.is_empty() {
        chunk.push(b'}');
        listed.push(json!([first, hashed(files, kind, chunk)]));
    }
    Value::Array(listed)
}

/// `"word":"stem"` for each surface word (`""` when the word is its own stem).
fn vocabulary_entries(inverted: &Inverted) -> Vec<(&str, Vec<u8>)> {
    inverted
        .words
        .par_iter()
        .map(|(word, stem)| {
            let stem = inverted.stems[*stem as usize].as_str();
            let shown = if stem == word { "" } else { stem };
            let mut entry = json_string(word);
            entry.push(b':');
            entry.extend(json_string(shown));
            (word.as_str(), entry)
        })
        .collect()
}

/// `"stem":[weight, document, impact, place, …]` for each stem: its highest score, then its
/// postings, each document number after the first written as the difference from the one
/// before, and `place` the section × 2, plus 1 when the title has the stem.
fn postings_entries(inverted: &Inverted) -> Vec<(&str, Vec<u8>)> {
    inverted
        .stems
        .par_iter()
        .zip(&inverted.weights)
        .enumerate()
        .map(|(n, (stem, weight))| {
            let mut entry = json_string(stem);
            entry.extend_from_slice(format!(":[{weight:.3e},").as_bytes());
            write_postings(&mut entry, inverted.postings(n));
            entry.push(b']');
            (stem.as_str(), entry)
        })
        .collect()
}

fn write_postings(out: &mut Vec<u8>, postings: &[Posting]) {
    let mut previous = 0;
    for (n, posting) in postings.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let mut number = itoa::Buffer::new();
        out.extend_from_slice(number.format(posting.document() - previous).as_bytes());
        out.push(b',');
        out.extend_from_slice(number.format(posting.impact()).as_bytes());
        out.push(b',');
        let place = u32::from(posting.section()) * 2 + u32::from(posting.in_title());
        out.extend_from_slice(number.format(place).as_bytes());
        previous = posting.document();
    }
}

fn json_string(text: &str) -> Vec<u8> {
    serde_json::to_vec(text).expect("JSON of a string")
}

/// The cards of a chunk of documents, with their sections for excerpts and sub-results.
fn document_chunk(documents: &[Document]) -> Vec<u8> {
    let cards: Vec<Value> = documents
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
        .collect();
    serde_json::to_vec(&cards).expect("JSON of cards")
}

/// Filter → value → the documents that have it, each after the first as the difference from
/// the one before.
fn filters(documents: &[Document]) -> BTreeMap<&'static str, BTreeMap<&str, Vec<u32>>> {
    let mut filters: BTreeMap<&'static str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    let mut last: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for (n, document) in documents.iter().enumerate() {
        let n = n as u32;
        for (filter, value) in &document.filters {
            let previous = last.insert((filter, value), n);
            if previous == Some(n) {
                continue;
            }
            let list = filters.entry(filter).or_default().entry(value).or_default();
            list.push(n - previous.unwrap_or(0));
        }
    }
    filters
}

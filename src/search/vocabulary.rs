//! The site's distinct words, each numbered once for the whole build, from any thread.
//!
//! Documents keep their counts by word number (a few bytes a word) instead of by string (~64
//! bytes a word with its allocation): at 10,000 briefs that is the difference between ~40 MB
//! and ~500 MB held until the index is made.

use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Shards of the word map, so the threads analysing documents seldom wait for each other.
const SHARDS: usize = 64;

/// How words are hashed, once each: the analyser's table and the vocabulary's share the hash.
pub fn word_hash(word: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x5eed).hash_one(word)
}

/// A word, its hash and its number.
struct Numbered {
    hash: u64,
    word: Box<str>,
    number: u32,
}

pub struct Vocabulary {
    shards: Vec<Mutex<HashTable<Numbered>>>,
    next: AtomicU32,
}

impl Vocabulary {
    /// A vocabulary whose first numbers are `words`' positions (the last build's, from the
    /// cache, so that its documents' counts keep their meaning).
    pub fn with_words(words: Vec<String>) -> Vocabulary {
        let vocabulary = Vocabulary {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            next: AtomicU32::new(words.len() as u32),
        };
        for (n, word) in words.into_iter().enumerate() {
            let hash = word_hash(&word);
            let numbered = Numbered {
                hash,
                word: word.into_boxed_str(),
                number: n as u32,
            };
            crate::lock(vocabulary.shard(hash)).insert_unique(hash, numbered, |w| w.hash);
        }
        vocabulary
    }

    /// The shard of a hash: its top bits (the table inside uses the low ones).
    fn shard(&self, hash: u64) -> &Mutex<HashTable<Numbered>> {
        &self.shards[(hash >> 58) as usize % SHARDS]
    }

    /// The number of `word` (whose `word_hash` is `hash`), given it now if it has none.
    pub fn number(&self, word: &str, hash: u64) -> u32 {
        let mut shard = crate::lock(self.shard(hash));
        if let Some(found) = shard.find(hash, |w| w.hash == hash && &*w.word == word) {
            return found.number;
        }
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        let numbered = Numbered {
            hash,
            word: word.into(),
            number,
        };
        shard.insert_unique(hash, numbered, |w| w.hash);
        number
    }

    /// Every word, at the place of its number.
    pub fn into_words(self) -> Vec<String> {
        let mut words = vec![String::new(); self.next.load(Ordering::Relaxed) as usize];
        for shard in self.shards {
            let shard = shard
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for numbered in shard {
                words[numbered.number as usize] = numbered.word.into_string();
            }
        }
        words
    }
}

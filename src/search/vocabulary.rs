//! The site's distinct words, each numbered once for the whole build, from any thread.
//!
//! Documents keep their counts by word number (a few bytes a word) instead of by string (~64
//! bytes a word with its allocation): at 10,000 briefs that is the difference between ~40 MB
//! and ~500 MB held until the index is made.

use foldhash::HashMap;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Shards of the word map, so the threads analysing documents seldom wait for each other.
const SHARDS: usize = 64;

pub struct Vocabulary {
    shards: Vec<Mutex<HashMap<Box<str>, u32>>>,
    next: AtomicU32,
    shard_of: foldhash::fast::FixedState,
}

impl Vocabulary {
    /// A vocabulary whose first numbers are `words`' positions (the last build's, from the
    /// cache, so that its documents' counts keep their meaning).
    pub fn with_words(words: Vec<String>) -> Vocabulary {
        let vocabulary = Vocabulary {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            next: AtomicU32::new(words.len() as u32),
            shard_of: foldhash::fast::FixedState::default(),
        };
        for (n, word) in words.into_iter().enumerate() {
            let shard = vocabulary.shard(&word);
            crate::lock(shard).insert(word.into_boxed_str(), n as u32);
        }
        vocabulary
    }

    fn shard(&self, word: &str) -> &Mutex<HashMap<Box<str>, u32>> {
        &self.shards[self.shard_of.hash_one(word) as usize % SHARDS]
    }

    /// The number of `word`, given it now if it has none.
    pub fn number(&self, word: &str) -> u32 {
        let mut shard = crate::lock(self.shard(word));
        if let Some(&n) = shard.get(word) {
            return n;
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        shard.insert(word.into(), n);
        n
    }

    /// Every word, at the place of its number.
    pub fn into_words(self) -> Vec<String> {
        let mut words = vec![String::new(); self.next.load(Ordering::Relaxed) as usize];
        for shard in self.shards {
            let shard = shard
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for (word, n) in shard {
                words[n as usize] = word.into_string();
            }
        }
        words
    }
}

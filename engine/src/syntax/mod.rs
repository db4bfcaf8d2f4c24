//! Text → words with spans: the lossless first step of every import.

mod words;

pub use words::{split_words, Word, MAX_WORD_BYTES};

//! Name and company normalisation (src/matching/normalize.rs) on arbitrary text.
//!
//! Properties: `fold` and `fold_german` are idempotent and yield single-space-separated
//! tokens of lower-case letters and digits (no control characters, no marks, no edge
//! spaces); `tokens` is `fold` split; `company_key` is idempotent with the same alphabet and empty only when `fold` is;
//! `domain_from` yields a lower-case domain that is its own domain; `split_full_name`
//! returns trimmed words of its input only.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profiled::matching::normalize::{
    company_key, domain_from, fold, fold_alternatives, fold_german, split_full_name, tokens,
};

fn assert_folded(what: &str, input: &str, out: &str) {
    assert!(
        !out.starts_with(' ') && !out.ends_with(' ') && !out.contains("  "),
        "{what}({input:?}) = {out:?}: spaces at an edge or doubled"
    );
    for c in out.chars() {
        assert!(
            c == ' ' || (c.is_alphanumeric() && !c.is_uppercase()),
            "{what}({input:?}) = {out:?}: {c:?} is not a lower-case letter, a digit or a space"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    let folded = fold(text);
    assert_folded("fold", text, &folded);
    assert_eq!(fold(&folded), folded, "fold is not idempotent on {text:?}");
    let german = fold_german(text);
    assert_folded("fold_german", text, &german);
    assert_eq!(
        fold_german(&german),
        german,
        "fold_german is not idempotent on {text:?}"
    );
    let alternatives = fold_alternatives(text);
    assert_eq!(alternatives.first(), Some(&folded));
    assert!(alternatives.len() <= 2);

    let words = tokens(text);
    assert_eq!(
        words.join(" "),
        folded,
        "tokens({text:?}) is not fold split"
    );
    assert!(words.iter().all(|t| !t.is_empty() && !t.contains(' ')));

    let key = company_key(text);
    assert_folded("company_key", text, &key);
    assert_eq!(
        company_key(&key),
        key,
        "company_key is not idempotent on {text:?}"
    );
    // Stripping never empties a key ("&" alone is "and", so the converse does not hold).
    assert!(
        folded.is_empty() || !key.is_empty(),
        "company_key({text:?}) is empty but fold = {folded:?}"
    );

    if let Some(domain) = domain_from(text) {
        assert!(
            !domain.is_empty()
                && domain.contains('.')
                && domain.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'.'),
            "domain_from({text:?}) = {domain:?}"
        );
        assert_eq!(
            domain_from(&domain).as_deref(),
            Some(domain.as_str()),
            "domain_from is not idempotent on {text:?}"
        );
    }

    // Name cleaning drops titles, notes, symbols, invisible and combining marks it does
    // not keep, and may cut a word where a symbol stood ("Rossi🚀"): it only removes
    // characters, so each word of a part is a subsequence of the input, never invented.
    let (first, last) = split_full_name(text);
    for part in [&first, &last] {
        assert_eq!(
            part.trim(),
            part,
            "split_full_name({text:?}): untrimmed {part:?}"
        );
        for word in part.split_whitespace() {
            let mut rest = text.chars();
            assert!(
                word.chars().all(|c| rest.any(|t| t == c)),
                "split_full_name({text:?}) invented {word:?}"
            );
        }
    }
});

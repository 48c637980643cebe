//! Unicode normalization of strings: `normalize(s, form)` and `s IS [form] NORMALIZED`.

use unicode_normalization::{is_nfc, is_nfd, is_nfkc, is_nfkd, UnicodeNormalization};

use crate::ast::NormalForm;

/// `s` in normalization form `form`.
pub(crate) fn normalize(s: &str, form: NormalForm) -> String {
    match form {
        NormalForm::Nfc => s.nfc().collect(),
        NormalForm::Nfd => s.nfd().collect(),
        NormalForm::Nfkc => s.nfkc().collect(),
        NormalForm::Nfkd => s.nfkd().collect(),
    }
}

/// Whether `s` is already in normalization form `form`.
pub(crate) fn is_normalized(s: &str, form: NormalForm) -> bool {
    match form {
        NormalForm::Nfc => is_nfc(s),
        NormalForm::Nfd => is_nfd(s),
        NormalForm::Nfkc => is_nfkc(s),
        NormalForm::Nfkd => is_nfkd(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_compose_decompose_and_fold_compatibility_characters() {
        let composed = "\u{00C5}"; // Å as one code point
        let decomposed = "A\u{030A}"; // A + combining ring
        assert_eq!(normalize(decomposed, NormalForm::Nfc), composed);
        assert_eq!(normalize(composed, NormalForm::Nfd), decomposed);
        // The Ångström sign is canonically equivalent to Å; the ligature ﬁ only by compatibility.
        assert_eq!(normalize("\u{212B}", NormalForm::Nfc), composed);
        assert_eq!(normalize("\u{FB01}", NormalForm::Nfc), "\u{FB01}");
        assert_eq!(normalize("\u{FB01}", NormalForm::Nfkc), "fi");
        assert!(is_normalized(composed, NormalForm::Nfc));
        assert!(!is_normalized(decomposed, NormalForm::Nfc));
        assert!(is_normalized(decomposed, NormalForm::Nfd));
        assert!(!is_normalized("\u{FB01}", NormalForm::Nfkd));
    }
}

use crm_transform::normalise::{decode_csv, decode_csv_as, decode_csv_with_tld, EncodingSource};
use proptest::prelude::*;

use crate::assert_quotes;

const POLISH: &str = "Imię;Nazwisko;Miasto\nZażółć;Gęślą jaźń;Łódź\nŚwiętosław;Żółkiewski;Kraków\n";
const FRENCH: &str =
    "Prénom,Nom,Société\nFrançoise,Hébert,Crème brûlée SARL\nGaëlle,Lefèvre,Château été\n";

fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = (if bom { "\u{feff}" } else { "" })
        .encode_utf16()
        .chain(text.encode_utf16());
    for u in units {
        out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

#[test]
fn utf8_with_and_without_bom() {
    let d = decode_csv(POLISH.as_bytes()).unwrap();
    assert_eq!(
        (d.text.as_str(), d.encoding, d.source),
        (POLISH, "UTF-8", EncodingSource::ValidUtf8)
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(POLISH.as_bytes());
    let d = decode_csv(&bom).unwrap();
    assert_eq!(
        (d.text.as_str(), d.encoding, d.source),
        (POLISH, "UTF-8", EncodingSource::Bom)
    );
    assert!(!d.replaced);
    let d = decode_csv(b"").unwrap();
    assert_eq!((d.text.as_str(), d.encoding), ("", "UTF-8"));
}

#[test]
fn utf16_with_and_without_bom() {
    for (le, name) in [(true, "UTF-16LE"), (false, "UTF-16BE")] {
        let d = decode_csv(&utf16(POLISH, le, true)).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.source),
            (POLISH, name, EncodingSource::Bom)
        );
        let d = decode_csv(&utf16(FRENCH, le, false)).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.source),
            (FRENCH, name, EncodingSource::Guessed)
        );
    }
}

#[test]
fn legacy_code_pages_are_detected() {
    let (cp1250, _, _) = encoding_rs::WINDOWS_1250.encode(POLISH);
    let d = decode_csv(&cp1250).unwrap();
    assert_eq!(
        (d.text.as_str(), d.encoding, d.source),
        (POLISH, "windows-1250", EncodingSource::Guessed)
    );

    let (latin2, _, _) = encoding_rs::ISO_8859_2.encode(POLISH);
    let d = decode_csv_with_tld(&latin2, Some("PL")).unwrap();
    assert_eq!(d.text, POLISH, "{}", d.encoding);
    assert!(
        d.encoding == "ISO-8859-2" || d.encoding == "windows-1250",
        "{}",
        d.encoding
    );

    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(FRENCH);
    let d = decode_csv(&cp1252).unwrap();
    assert_eq!((d.text.as_str(), d.encoding), (FRENCH, "windows-1252"));
    assert!(!d.replaced);
}

#[test]
fn named_encodings() {
    let (latin2, _, _) = encoding_rs::ISO_8859_2.encode(POLISH);
    let d = decode_csv_as(&latin2, "latin2").unwrap();
    assert_eq!(
        (d.text.as_str(), d.encoding, d.source),
        (POLISH, "ISO-8859-2", EncodingSource::Given)
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(b"a,b");
    assert_eq!(decode_csv_as(&bom, " UTF-8 ").unwrap().text, "a,b");
    let d = decode_csv_as(b"a\xFFb", "utf-8").unwrap();
    assert!(d.replaced && d.text == "a\u{fffd}b");
    assert_quotes(decode_csv_as(b"x", "klingon-1"), "klingon-1");
}

#[test]
fn a_damaged_file_with_a_bom_is_an_error() {
    let e = decode_csv(b"\xEF\xBB\xBFname\nAnn\xC3(\n").unwrap_err();
    assert!(e.reason.contains("UTF-8 byte-order mark"), "{e}");
    assert!(e.reason.contains("offset 11"), "{e}");
    assert!(e.to_string().contains("name"), "{e}");
    let e = decode_csv(b"\xFF\xFEa\x00b").unwrap_err();
    assert!(e.reason.contains("UTF-16LE"), "{e}");
}

proptest! {
    #[test]
    fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512), tld in "[A-Za-z.é]{0,3}") {
        let _ = decode_csv(&bytes);
        let _ = decode_csv_with_tld(&bytes, Some(&tld));
        let _ = decode_csv_as(&bytes, &tld);
    }

    #[test]
    fn utf8_text_round_trips(s in any::<String>()) {
        let d = decode_csv(s.as_bytes()).unwrap();
        prop_assert_eq!(d.text, s.clone());
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(s.as_bytes());
        prop_assert_eq!(decode_csv(&bom).unwrap().text, s.clone());
        prop_assert_eq!(decode_csv(&utf16(&s, true, true)).unwrap().text, s);
    }
}

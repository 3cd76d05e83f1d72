//! Templates, generated codes and the import's CSV.
use super::*;

#[test]
fn imports_read_the_first_column() {
    let codes = codes_from_csv("code,note\nSPRING-1, first\n\n  spring-2 \n\"SPRING,3\"\n").unwrap();
    assert_eq!(codes, ["SPRING-1", "spring-2", "SPRING,3"]);
    assert!(codes_from_csv("").unwrap().is_empty());
}

#[test]
fn templates_need_enough_randomness() {
    let mut e = FieldErrors::new();
    assert_eq!(check_template("bf26-????-????", 100_000, &mut e), "BF26-????-????");
    assert!(e.into_result().is_ok());
    let mut e = FieldErrors::new();
    check_template("BF26-???", 10, &mut e);
    assert!(e.into_result().unwrap_err().fields["template"].contains("at least 6"));
    let mut e = FieldErrors::new();
    check_template("BF-??????", 100_000, &mut e);
    assert!(e.into_result().unwrap_err().fields["template"].contains("too few"));
    let mut e = FieldErrors::new();
    check_template("BF 26 ??????", 1, &mut e);
    assert!(e.into_result().is_err());
}

#[test]
fn generated_codes_follow_the_template_and_differ() {
    let codes = generate("BF26-????-????", 2000);
    assert_eq!(codes.len(), 2000);
    assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), 2000);
    for c in &codes {
        assert_eq!(c.len(), 14);
        assert!(c.starts_with("BF26-") && c.as_bytes()[9] == b'-');
        assert!(c.bytes().enumerate().all(|(i, b)| matches!(i, 0..=4 | 9) || CODE_ALPHABET.contains(&b)));
    }
    // Every character of the alphabet shows up (2000 × 8 draws of 30).
    let used: std::collections::HashSet<u8> = codes.iter().flat_map(|c| c.bytes().skip(5).filter(|b| *b != b'-')).collect();
    assert_eq!(used.len(), CODE_ALPHABET.len());
}

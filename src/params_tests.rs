//! Parameter values: the forms the shell and `--param` accept, their values, and the errors.

use super::*;
use crate::value::Date;

#[test]
fn literals() {
    assert_eq!(parse_literal("42"), Ok(Value::Int(42)));
    assert_eq!(parse_literal(" -1.5e3 "), Ok(Value::Float(-1500.0)));
    assert_eq!(parse_literal("+7"), Ok(Value::Int(7)));
    assert_eq!(parse_literal("'智谱'"), Ok(Value::from("智谱")));
    assert_eq!(parse_literal("\"a\\\"b\""), Ok(Value::from("a\"b")));
    assert_eq!(parse_literal("'tab\\there'"), Ok(Value::from("tab\there")));
    assert_eq!(parse_literal("TRUE"), Ok(Value::Bool(true)));
    assert_eq!(
        parse_literal("[1, 'x', null]"),
        Ok(Value::List(vec![
            Value::Int(1),
            Value::from("x"),
            Value::Null
        ]))
    );
    let Ok(Value::Map(m)) = parse_literal("{name: 'A', `two words`: 2, 'q': [], \"d\": 1.0}")
    else {
        panic!("not a map");
    };
    assert_eq!(m.len(), 4);
    assert_eq!(m.get("two words"), Some(&Value::Int(2)));
    assert_eq!(m.get("q"), Some(&Value::List(vec![])));
    assert_eq!(m.get("d"), Some(&Value::Float(1.0)));
    assert_eq!(
        parse_literal("date('2026-01-15')"),
        Ok(Value::Date(Date::new(2026, 1, 15).unwrap()))
    );
    let dt = parse_literal("datetime('2026-01-15T09:30+08:00[Asia/Shanghai]')").unwrap();
    assert_eq!(
        dt.temporal_text().as_deref(),
        Some("2026-01-15T09:30+08:00[Asia/Shanghai]")
    );
    let d = parse_literal("duration('P1DT2H')").unwrap();
    assert_eq!(d.temporal_text().as_deref(), Some("P1DT2H"));
    for (f, text) in [
        ("localtime", "09:30:15"),
        ("time", "09:30:15+02:00"),
        ("localdatetime", "2026-01-15T09:30"),
    ] {
        let v = parse_literal(&format!("{f}('{text}')")).unwrap();
        assert_eq!(v, crate::value::parse_tagged(f, text).unwrap(), "{f}");
    }
    let Ok(Value::Point(p)) = parse_literal("point({latitude: 55.6, longitude: 12.9})") else {
        panic!("not a point");
    };
    assert_eq!(p.to_string(), "point({srid:4326, x:12.9, y:55.6})");
    assert_eq!(parse_literal("point({x: null, y: 1})"), Ok(Value::Null));
    assert!(parse_literal("point({x: 1})").is_err());
    assert!(parse_literal("point(1)").is_err());
}

#[test]
fn constant_expressions_and_special_floats() {
    assert_eq!(parse_literal("2 * 60"), Ok(Value::Int(120)));
    assert_eq!(
        parse_literal("[toUpper('a'), size([1, 2])]"),
        Ok(Value::List(vec![Value::from("A"), Value::Int(2)]))
    );
    let Ok(Value::Float(f)) = parse_literal("NaN") else {
        panic!("NaN")
    };
    assert!(f.is_nan());
    assert_eq!(parse_literal("infinity"), Ok(Value::Float(f64::INFINITY)));
    assert_eq!(
        parse_literal("-Infinity"),
        Ok(Value::Float(f64::NEG_INFINITY))
    );
}

#[test]
fn errors_are_messages_with_a_column_not_panics() {
    for bad in [
        "",
        "'open",
        "[1,",
        "{a 1}",
        "1 2",
        "99999999999999999999",
        "date('2026-02-30')",
        "duration('1 day')",
        "time(12)",
        "'\\u12'",
        "$p",
        "rand()",
        "date()",
        "count(*)",
        "[x IN [1] | x + y]",
    ] {
        assert!(parse_literal(bad).is_err(), "{bad:?} parsed");
    }
    let e = parse_literal("DeepSeek").unwrap_err();
    assert!(e.contains("column 1") && e.contains("'DeepSeek'"), "{e}");
    let e = parse_literal("[1, 2, rand()]").unwrap_err();
    assert!(e.contains("`rand()` at column 8"), "{e}");
    let e = parse_literal("{a: 1, b: [2, x]}").unwrap_err();
    assert!(e.contains("`x` at column 15"), "{e}");
    let e = parse_literal("[1, 2").unwrap_err();
    assert!(e.contains("column"), "{e}");
    let e = parse_literal("[1, date('2026-02-30')]").unwrap_err();
    assert!(e.contains("column 5"), "{e}");
}

#[test]
fn json_text_reads_the_same_through_serde_and_the_grammar() {
    for text in [
        "[1, -2, 3.5, 1e3, -0.25, 9007199254740993, -9223372036854775808]",
        r#"{"a": [true, false, null], "b": {"c": "x\ny\"z\\"}, "d": "é\u00e9"}"#,
        "\"plain\"",
        "0",
        "[]",
        "{}",
    ] {
        let fast = json_value(text);
        assert!(fast.is_some(), "{text} is JSON");
        assert_eq!(fast.map(Ok), Some(by_grammar(text)), "{text}");
    }
    // Too large for an integer: JSON would give a float, Cypher an error.
    assert_eq!(json_value("[100000000000000000000]"), None);
    assert!(parse_literal("[100000000000000000000]").is_err());
    assert_eq!(
        parse_literal("[1e20]"),
        Ok(Value::List(vec![Value::Float(1e20)]))
    );
}

#[test]
fn json_parameters() {
    let j: serde_json::Value = serde_json::from_str(r#"{"a": 1, "b": 1.0, "c": [true]}"#).unwrap();
    let Value::Map(m) = from_json(&j) else {
        panic!()
    };
    assert_eq!(m["a"], Value::Int(1));
    assert_eq!(m["b"], Value::Float(1.0));
}

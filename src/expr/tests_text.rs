//! Evaluator tests written as Cypher text: `check("expr", "expected literal")` parses
//! `RETURN expr` with the real parser and compares the evaluated values structurally.

use crate::ast::{Clause, Expr, Statement};
use crate::error::{ErrorClass, Result};
use crate::value::Value;

use super::eval;
use super::tests::{ctx, row};

fn parse_expr(src: &str) -> Expr {
    let text = format!("RETURN {src}");
    let stmt = match crate::parser::parse(&text) {
        Ok(s) => s,
        Err(e) => panic!("`{text}` does not parse: {e}"),
    };
    let Statement::Query(q) = stmt else {
        panic!("`{text}` is not a query")
    };
    match q.first.clauses.into_iter().next() {
        Some(Clause::Return(r)) => match r.projection.items.into_iter().next() {
            Some(item) => item.expr,
            None => panic!("`{text}` returns nothing"),
        },
        _ => panic!("`{text}` is not a RETURN"),
    }
}

fn eval_text(src: &str) -> Result<Value> {
    eval(&parse_expr(src), &row(), &ctx())
}

#[track_caller]
fn check(src: &str, expected: &str) {
    let got = eval_text(src).unwrap_or_else(|e| panic!("`{src}` failed: {e}"));
    let want = eval_text(expected).unwrap_or_else(|e| panic!("`{expected}` failed: {e}"));
    assert_eq!(got, want, "`{src}`");
}

#[track_caller]
fn check_err(src: &str, class: ErrorClass, detail: &str) {
    match eval_text(src) {
        Ok(v) => panic!("`{src}` gave {v:?}, expected {class}/{detail}"),
        Err(e) => {
            let q = e
                .as_query()
                .unwrap_or_else(|| panic!("`{src}`: not a query error: {e}"));
            assert_eq!(
                (q.class, q.detail.as_str()),
                (class, detail),
                "`{src}`: {e}"
            );
        }
    }
}

#[test]
fn literals_and_arithmetic() {
    check("1 + 2 * 3", "7");
    check("(1 + 2) * 3", "9");
    check("2 ^ 3 ^ 2", "64.0");
    check("-3 ^ 2", "9.0");
    check("7 / 2", "3");
    check("7.0 / 2", "3.5");
    check("-7 % 3", "-1");
    check("0x1F + 0o17", "46");
    check("1.5e3", "1500.0");
    check("'a' + 'b'", "'ab'");
    check("[1, 2] + [3]", "[1, 2, 3]");
    check("[1] + 2", "[1, 2]");
    check("null + 1", "null");
    check_err(
        "9223372036854775807 + 1",
        ErrorClass::ArgumentError,
        "IntegerOverflow",
    );
    check_err(
        "-9223372036854775808 - 1",
        ErrorClass::ArgumentError,
        "IntegerOverflow",
    );
    check_err("1 / 0", ErrorClass::ArgumentError, "DivisionByZero");
    check_err("1 % 0", ErrorClass::ArgumentError, "DivisionByZero");
}

#[test]
fn equality_comparison_and_logic() {
    check("1 = 1.0", "true");
    check("'1' = 1", "false");
    check("[1, null] = [1, null]", "null");
    check("[1, 2] = [1]", "false");
    check("{k: 1, l: null} = {k: 1, l: 1}", "null");
    check("{} = {k: null}", "false");
    check("null = null", "null");
    check("null <> null", "null");
    check("1 < 2.5", "true");
    check("'a' < 1", "null");
    check("[1, 0] >= [1]", "true");
    check("[1, 2] >= [1, null]", "null");
    check("1 < 2 < 3", "true");
    check("3 > 2 > 2", "false");
    check("true AND null", "null");
    check("false AND null", "false");
    check("true OR null", "true");
    check("true XOR null", "null");
    check("NOT null", "null");
    check("NOT (1 = 1)", "false");
    check("null IS NULL", "true");
    check("[] IS NOT NULL", "true");
}

#[test]
fn in_and_string_predicates() {
    check("2 IN [1, 2, 3]", "true");
    check("4 IN [1, null]", "null");
    check("[1] IN [[1, null]]", "false");
    check("[null] IN [null]", "null");
    check("[] IN [1, 2, null]", "null");
    check("[[], []] IN [1, [[], []]]", "true");
    check("null IN []", "false");
    check("'abc' STARTS WITH 'ab'", "true");
    check("'abc' ENDS WITH ''", "true");
    check("'abc' CONTAINS null", "null");
    check("1 CONTAINS 'a'", "null");
    check("'abc' =~ 'a.*'", "true");
    check("'abc' =~ 'b'", "false");
    check("'ABC' =~ '(?i)abc'", "true");
}

#[test]
fn access_case_and_comprehensions() {
    check("n.name", "'Ada'");
    check("n['age']", "36");
    check("r.year", "2019");
    check("nothing.x", "null");
    check("{a: {b: 2}}.a.b", "2");
    check("[1, 2, 3][-1]", "3");
    check("[1, 2, 3][5]", "null");
    check("[1, 2, 3, 4, 5][1..3]", "[2, 3]");
    check("[1, 2, 3][-5..5]", "[1, 2, 3]");
    check("[1, 2, 3][null..2]", "null");
    check("CASE 2 WHEN 1 THEN 'one' WHEN 2.0 THEN 'two' END", "'two'");
    check("CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END", "'b'");
    check("[x IN range(1, 5) WHERE x % 2 = 1 | x * x]", "[1, 9, 25]");
    check("reduce(acc = 0, x IN [1, 2, 3] | acc + x)", "6");
    check("all(x IN [] WHERE false)", "true");
    check("any(x IN [1, null] WHERE x = 2)", "null");
    check("none(x IN [1, 2] WHERE x = 2)", "false");
    check("single(x IN [2, null] WHERE x = 2)", "null");
    check("single(x IN [1, 2, 3] WHERE x = 2)", "true");
    check("n:Person", "true");
    check("n:Person:Company", "false");
    check("n {.name, twice: n.age * 2}", "{name: 'Ada', twice: 72}");
    check_err(
        "{name: 'Apa'}[0]",
        ErrorClass::TypeError,
        "MapElementAccessByNonString",
    );
    check_err("[1][1.0]", ErrorClass::TypeError, "InvalidArgumentType");
    check_err(
        "gone.name",
        ErrorClass::EntityNotFound,
        "DeletedEntityAccess",
    );
}

#[test]
fn functions_by_family() {
    check("size([1, 2, 3])", "3");
    check("size('héllo')", "5");
    check("coalesce(null, nothing, 'x')", "'x'");
    check("head([])", "null");
    check("tail([1, 2, 3])", "[2, 3]");
    check("range(0, 10, 5)", "[0, 5, 10]");
    check("range(10, 0, -4)", "[10, 6, 2]");
    check("reverse('abc')", "'cba'");
    check("toInteger('2.9')", "2");
    check("toFloat('5')", "5.0");
    check("toString(1.0)", "'1.0'");
    check("toBoolean('TRUE')", "true");
    check("toIntegerOrNull([])", "null");
    check("abs(-2.5)", "2.5");
    check("round(3.5)", "4.0");
    check("round(-3.5)", "-3.0");
    check("round(3.14159, 2)", "3.14");
    check("sign(-3)", "-1");
    check("floor(-1.5)", "-2.0");
    check("sqrt(16)", "4.0");
    check("exp(0)", "1.0");
    check("log(e())", "1.0");
    check("degrees(pi())", "180.0");
    check("toUpper('abc')", "'ABC'");
    check("ltrim('  a ')", "'a '");
    check("split('a,b', ',')", "['a', 'b']");
    check("substring('hello', 1, 3)", "'ell'");
    check("right('hello', 2)", "'lo'");
    check("replace('aaa', 'a', 'b')", "'bbb'");
    check("labels(n)", "['Person', 'Founder']");
    check("type(r)", "'FOUNDED'");
    check("id(startNode(r)) = id(n)", "true");
    check("keys({b: 1, a: null})", "['a', 'b']");
    check("properties(r)", "{year: 2019}");
    check("date('2026-11-21').dayOfWeek", "6");
    check("date({year: 2024, month: 2, day: 29}).ordinalDay", "60");
    check("date('2026-11-21') > date('2026-01-01')", "true");
    check_err(
        "range(1, 5, 0)",
        ErrorClass::ArgumentError,
        "NumberOutOfRange",
    );
    check_err(
        "toBoolean(1.0)",
        ErrorClass::TypeError,
        "InvalidArgumentValue",
    );
    check_err("labels(1)", ErrorClass::TypeError, "InvalidArgumentValue");
}

#[test]
fn temporal_functions() {
    check(
        "duration.between(date('2020-01-01'), date('2021-03-02'))",
        "duration('P1Y2M1D')",
    );
    check(
        "date.truncate('month', date('2020-05-05'))",
        "date('2020-05-01')",
    );
    check("localtime('12:00')", "localtime({hour: 12})");
    check("time('12:00+01:00') = time('11:00Z')", "false");
    check("time('12:00+01:00') < time('11:30Z')", "true");
    check(
        "datetime('2015-07-21T21:40:32.142+0100').epochMillis",
        "1437511232142",
    );
    check(
        "datetime('2015-07-21T21:40:32.142+0100').timezone",
        "'+01:00'",
    );
    check("duration('P1DT2H') * 2", "duration({days: 2, hours: 4})");
    check("duration('P1D') / 2", "duration('PT12H')");
    check("-duration('PT1.5S')", "duration({milliseconds: -1500})");
    check("duration('P1D') < duration('P2D')", "null");
    check("duration('P1D') = duration('PT24H')", "false");
    check(
        "localdatetime('2020-01-31T10:00') + duration({months: 1})",
        "localdatetime('2020-02-29T10:00')",
    );
    check(
        "date('2020-03-01') - duration('PT36H')",
        "date('2020-02-29')",
    );
    check("toString(duration({minutes: 90}))", "'PT1H30M'");
    check(
        "[date('2020-01-01')] + date('2020-01-02')",
        "[date('2020-01-01'), date('2020-01-02')]",
    );
    for (bad, class, detail) in [
        (
            "date('2015-13-01')",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "time({hour: 25})",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "datetime({year: 2020, timezone: 'Mars/Olympus'})",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "duration({weeks: 'x'})",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "duration('P1X')",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "date({year: 2020, bogus: 1})",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "date.truncate('fortnight', date('2020-05-05'))",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "localtime.truncate('year', localtime('12:00'))",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "duration.between(duration('P1D'), date())",
            ErrorClass::TypeError,
            "InvalidArgumentValue",
        ),
        (
            "duration('P1D') / 0",
            ErrorClass::ArgumentError,
            "DivisionByZero",
        ),
        (
            "date('2020-01-01') + 1",
            ErrorClass::TypeError,
            "InvalidArgumentType",
        ),
        (
            "date({year: 1000000000})",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "duration({years: 9223372036854775807})",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "date('+999999999-12-31') + duration('P1D')",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
        (
            "duration('P1D').fortnights",
            ErrorClass::ArgumentError,
            "InvalidArgumentValue",
        ),
    ] {
        check_err(bad, class, detail);
    }
    check_err(
        "nosuch.function(1)",
        ErrorClass::SyntaxError,
        "UnknownFunction",
    );
}

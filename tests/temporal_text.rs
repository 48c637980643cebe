//! Temporal text, property-tested: every reader takes any string without panicking, and the
//! text of every value reads back as the same value (the ISO forms are a round trip).

use kgstore::temporal::{Duration, LocalDateTime, LocalTime, Time, TimeZone, Zone};
use kgstore::value::parse_tagged;
use kgstore::value::{Date, Value};
use proptest::prelude::*;

const TYPES: [&str; 6] = [
    "date",
    "localtime",
    "time",
    "localdatetime",
    "datetime",
    "duration",
];

fn date() -> impl Strategy<Value = Date> {
    (-400_000i64..400_000).prop_map(|d| Date::from_days(d * 1000 + d % 997))
}

fn time() -> impl Strategy<Value = LocalTime> {
    (0i128..86_400_000_000_000).prop_map(LocalTime::from_nanos_wrapping)
}

fn zone() -> impl Strategy<Value = TimeZone> {
    prop_oneof![
        (-18 * 3600i32..=18 * 3600).prop_map(TimeZone::Offset),
        prop::sample::select(vec![
            "Europe/Stockholm",
            "America/New_York",
            "Australia/Eucla",
            "Asia/Shanghai",
            "UTC",
        ])
        .prop_map(|n| TimeZone::Named(Zone::by_name(n).expect("known zone"))),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        date().prop_map(Value::Date),
        time().prop_map(Value::LocalTime),
        (time(), -18 * 3600i32..=18 * 3600)
            .prop_map(|(time, offset)| Value::Time(Time { time, offset })),
        (date(), time()).prop_map(|(d, t)| Value::LocalDateTime(LocalDateTime::new(d, t))),
        (-3_000_000i64..3_000_000, time(), zone()).prop_filter_map("in range", |(day, t, tz)| {
            let local = LocalDateTime::new(Date::from_days(day), t);
            kgstore::temporal::DateTime::from_local(local, tz).map(Value::DateTime)
        }),
        (
            any::<i32>(),
            any::<i32>(),
            any::<i32>(),
            0i64..1_000_000_000
        )
            .prop_filter_map("in range", |(m, d, s, n)| {
                Duration::new(i64::from(m), i64::from(d), i64::from(s) * 1000, n)
                    .map(|d| Value::Duration(Box::new(d)))
            }),
    ]
}

proptest! {
    #[test]
    fn readers_never_panic(s in "\\PC{0,40}", t in "[-+0-9:.,TWPYMDHSZz\\[\\]/a-zA-Z]{0,30}") {
        for f in TYPES {
            let _ = parse_tagged(f, &s);
            let _ = parse_tagged(f, &t);
        }
    }

    #[test]
    fn text_round_trips(v in value()) {
        let f = v.temporal_function().expect("temporal");
        let text = v.temporal_text().expect("temporal");
        prop_assert_eq!(parse_tagged(f, &text), Some(v), "{}", text);
    }
}

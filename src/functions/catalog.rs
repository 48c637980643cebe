//! What `SHOW FUNCTIONS` says about each built-in function: Neo4j 5's category, a
//! description, the arguments and the result type (the facts of arity live in `FUNCTIONS`).

use super::FunctionInfo;

/// One argument of a function.
#[derive(Debug)]
pub struct ArgDoc {
    pub name: &'static str,
    /// A Cypher type, as `SHOW FUNCTIONS` prints it (`INTEGER | FLOAT`).
    pub ty: &'static str,
    pub description: &'static str,
    /// For an optional argument, what leaving it out means.
    pub default: Option<&'static str>,
}

/// The documentation of one function.
#[derive(Debug)]
pub struct FunctionDoc {
    pub name: &'static str,
    /// Neo4j 5's category: `Aggregating`, `List`, `Logarithmic`, `Numeric`, `Predicate`,
    /// `Scalar`, `Spatial`, `String`, `Temporal` or `Trigonometric`.
    pub category: &'static str,
    pub description: &'static str,
    pub args: &'static [ArgDoc],
    pub returns: &'static str,
}

impl FunctionDoc {
    /// `name(arg :: TYPE, opt = default :: TYPE) :: RESULT`, in the form Neo4j prints; a
    /// function taking any number of arguments ends its list with `...`.
    pub fn signature(&self, info: &FunctionInfo) -> String {
        let mut args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a.default {
                Some(d) => format!("{} = {} :: {}", a.name, d, a.ty),
                None => format!("{} :: {}", a.name, a.ty),
            })
            .collect();
        if info.max_args == super::VARIADIC {
            args.push("...".into());
        }
        format!("{}({}) :: {}", self.name, args.join(", "), self.returns)
    }
}

const fn a(name: &'static str, ty: &'static str, description: &'static str) -> ArgDoc {
    ArgDoc {
        name,
        ty,
        description,
        default: None,
    }
}

const fn opt(
    name: &'static str,
    ty: &'static str,
    default: &'static str,
    description: &'static str,
) -> ArgDoc {
    ArgDoc {
        name,
        ty,
        description,
        default: Some(default),
    }
}

const fn d(
    name: &'static str,
    category: &'static str,
    description: &'static str,
    args: &'static [ArgDoc],
    returns: &'static str,
) -> FunctionDoc {
    FunctionDoc {
        name,
        category,
        description,
        args,
        returns,
    }
}

// Arguments several functions share.
const ENTITY: ArgDoc = a("input", "NODE | RELATIONSHIP", "A node or a relationship.");
const NUMBER: ArgDoc = a("input", "INTEGER | FLOAT", "A number.");
const ANGLE: ArgDoc = a("input", "FLOAT", "An angle in radians.");
const RATIO: ArgDoc = a("input", "FLOAT", "A value between -1 and 1.");
const STRING: ArgDoc = a("input", "STRING", "A string.");
const LIST: ArgDoc = a("input", "LIST<ANY>", "A list.");
const ANY: ArgDoc = a("input", "ANY", "Any value.");
const TRIM_CHARS: ArgDoc = opt(
    "trimCharacterString",
    "STRING",
    "' '",
    "The characters to strip (any of them).",
);
const TEMPORAL_INPUT: ArgDoc = opt(
    "input",
    "ANY",
    "null",
    "A map of components, a string to parse or a temporal value; none for the current instant.",
);
const TIMEZONE: ArgDoc = opt(
    "timezone",
    "STRING",
    "null",
    "The time zone of the clock; the default time zone if left out.",
);
const TRUNCATE_ARGS: &[ArgDoc] = &[
    a("unit", "STRING", "The unit to truncate to: 'millennium', 'century', 'decade', 'year', 'weekYear', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond' or 'microsecond'."),
    opt("input", "ANY", "null", "The temporal value to truncate; the current instant if left out."),
    opt("fields", "MAP", "null", "Components to put in place of the truncated ones."),
];
const BETWEEN_ARGS: &[ArgDoc] = &[
    a("from", "ANY", "The temporal value to start from."),
    a("to", "ANY", "The temporal value to end at."),
];
const PERCENTILE_ARGS: &[ArgDoc] = &[
    a("input", "INTEGER | FLOAT", "The values, one per row."),
    a(
        "percentile",
        "FLOAT",
        "The percentile, between 0.0 and 1.0.",
    ),
];

/// Every function of `FUNCTIONS`, in its order; one line each, read as a table.
#[rustfmt::skip]
static DOCS: &[FunctionDoc] = &[
    // graph
    d("id", "Scalar", "Returns the internal id of a node or relationship (prefer `elementId`).", &[ENTITY], "INTEGER"),
    d("elementId", "Scalar", "Returns the element id of a node or relationship, a string unique within the database.", &[ENTITY], "STRING"),
    d("labels", "List", "Returns the labels of a node.", &[a("input", "NODE", "A node.")], "LIST<STRING>"),
    d("type", "Scalar", "Returns the type of a relationship.", &[a("input", "RELATIONSHIP", "A relationship.")], "STRING"),
    d("keys", "List", "Returns the property keys of a node or relationship, or the keys of a map.", &[a("input", "NODE | RELATIONSHIP | MAP", "A node, a relationship or a map.")], "LIST<STRING>"),
    d("properties", "Scalar", "Returns the properties of a node or relationship as a map (a map is returned as it is).", &[a("input", "NODE | RELATIONSHIP | MAP", "A node, a relationship or a map.")], "MAP"),
    d("startNode", "Scalar", "Returns the node a relationship starts at.", &[a("input", "RELATIONSHIP", "A relationship.")], "NODE"),
    d("endNode", "Scalar", "Returns the node a relationship ends at.", &[a("input", "RELATIONSHIP", "A relationship.")], "NODE"),
    d("nodes", "List", "Returns the nodes of a path, in order.", &[a("input", "PATH", "A path.")], "LIST<NODE>"),
    d("relationships", "List", "Returns the relationships of a path, in order.", &[a("input", "PATH", "A path.")], "LIST<RELATIONSHIP>"),
    d("length", "Scalar", "Returns the number of relationships in a path (for a string or list, its size).", &[a("input", "PATH", "A path.")], "INTEGER"),
    d("exists", "Predicate", "Returns true if the value is not null (`exists(n.prop)`: the property is set).", &[ANY], "BOOLEAN"),
    // scalar / conversion
    d("coalesce", "Scalar", "Returns its first argument that is not null, or null if all are.", &[ANY], "ANY"),
    d("size", "Scalar", "Returns the number of elements of a list or of characters of a string.", &[a("input", "STRING | LIST<ANY>", "A string or a list.")], "INTEGER"),
    d("toInteger", "Scalar", "Converts a boolean, number or string to an integer; null if a string does not hold one.", &[ANY], "INTEGER"),
    d("toIntegerOrNull", "Scalar", "Converts a value to an integer; null for anything that cannot be converted.", &[ANY], "INTEGER"),
    d("toFloat", "Scalar", "Converts a number or string to a float; null if a string does not hold one.", &[ANY], "FLOAT"),
    d("toFloatOrNull", "Scalar", "Converts a value to a float; null for anything that cannot be converted.", &[ANY], "FLOAT"),
    d("toString", "Scalar", "Converts a number, boolean, string, temporal or spatial value to a string.", &[ANY], "STRING"),
    d("toStringOrNull", "Scalar", "Converts a value to a string; null for anything that cannot be converted.", &[ANY], "STRING"),
    d("toBoolean", "Scalar", "Converts a boolean, integer or string to a boolean; null if a string does not hold one.", &[ANY], "BOOLEAN"),
    d("toBooleanOrNull", "Scalar", "Converts a value to a boolean; null for anything that cannot be converted.", &[ANY], "BOOLEAN"),
    d("timestamp", "Scalar", "Returns the milliseconds since midnight, January 1, 1970 UTC, fixed for the statement.", &[], "INTEGER"),
    d("randomUUID", "Scalar", "Returns a new random UUID (version 4) as a string.", &[], "STRING"),
    d("valueType", "Scalar", "Returns the name of the most precise type of a value, as type predicates spell it (`INTEGER NOT NULL`).", &[ANY], "STRING"),
    d("nullIf", "Scalar", "Returns null if the two values are equal, otherwise the first.", &[a("v1", "ANY", "The value returned when they differ."), a("v2", "ANY", "The value to compare with.")], "ANY"),
    d("isEmpty", "Predicate", "Returns true if a string, list or map has no elements.", &[a("input", "STRING | LIST<ANY> | MAP", "A string, list or map.")], "BOOLEAN"),
    // list
    d("head", "Scalar", "Returns the first element of a list, or null for an empty list.", &[LIST], "ANY"),
    d("last", "Scalar", "Returns the last element of a list, or null for an empty list.", &[LIST], "ANY"),
    d("tail", "List", "Returns a list without its first element.", &[LIST], "LIST<ANY>"),
    d("range", "List", "Returns the integers from start to end (both included), step by step.", &[a("start", "INTEGER", "The first number."), a("end", "INTEGER", "The last number, if the steps reach it."), opt("step", "INTEGER", "1", "The difference between neighbours; not 0.")], "LIST<INTEGER>"),
    d("reverse", "List", "Returns a list or string in reverse order.", &[a("input", "STRING | LIST<ANY>", "A string or a list.")], "STRING | LIST<ANY>"),
    d("toIntegerList", "List", "Converts each element of a list to an integer, null where it cannot.", &[LIST], "LIST<INTEGER>"),
    d("toFloatList", "List", "Converts each element of a list to a float, null where it cannot.", &[LIST], "LIST<FLOAT>"),
    d("toStringList", "List", "Converts each element of a list to a string, null where it cannot.", &[LIST], "LIST<STRING>"),
    d("toBooleanList", "List", "Converts each element of a list to a boolean, null where it cannot.", &[LIST], "LIST<BOOLEAN>"),
    // math
    d("abs", "Numeric", "Returns the absolute value of a number, of the same type.", &[NUMBER], "INTEGER | FLOAT"),
    d("ceil", "Numeric", "Returns the smallest whole number (as a float) not less than a number.", &[NUMBER], "FLOAT"),
    d("floor", "Numeric", "Returns the largest whole number (as a float) not greater than a number.", &[NUMBER], "FLOAT"),
    d("round", "Numeric", "Returns a number rounded to a precision, half up unless a rounding mode says otherwise.", &[NUMBER, opt("precision", "INTEGER", "0", "The number of decimal places."), opt("mode", "STRING", "'HALF_UP'", "'UP', 'DOWN', 'CEILING', 'FLOOR', 'HALF_UP', 'HALF_DOWN' or 'HALF_EVEN'.")], "FLOAT"),
    d("sign", "Numeric", "Returns -1, 0 or 1: the sign of a number.", &[NUMBER], "INTEGER"),
    d("sqrt", "Logarithmic", "Returns the square root of a number.", &[NUMBER], "FLOAT"),
    d("exp", "Logarithmic", "Returns e raised to the power of a number.", &[NUMBER], "FLOAT"),
    d("log", "Logarithmic", "Returns the natural logarithm of a number.", &[NUMBER], "FLOAT"),
    d("log10", "Logarithmic", "Returns the base-10 logarithm of a number.", &[NUMBER], "FLOAT"),
    d("e", "Logarithmic", "Returns e, the base of the natural logarithm.", &[], "FLOAT"),
    d("pi", "Trigonometric", "Returns the mathematical constant pi.", &[], "FLOAT"),
    d("rand", "Numeric", "Returns a random float in the range from 0 (included) to 1 (excluded).", &[], "FLOAT"),
    d("sin", "Trigonometric", "Returns the sine of an angle.", &[ANGLE], "FLOAT"),
    d("cos", "Trigonometric", "Returns the cosine of an angle.", &[ANGLE], "FLOAT"),
    d("tan", "Trigonometric", "Returns the tangent of an angle.", &[ANGLE], "FLOAT"),
    d("cot", "Trigonometric", "Returns the cotangent of an angle.", &[ANGLE], "FLOAT"),
    d("sinh", "Trigonometric", "Returns the hyperbolic sine of a number.", &[NUMBER], "FLOAT"),
    d("cosh", "Trigonometric", "Returns the hyperbolic cosine of a number.", &[NUMBER], "FLOAT"),
    d("tanh", "Trigonometric", "Returns the hyperbolic tangent of a number.", &[NUMBER], "FLOAT"),
    d("coth", "Trigonometric", "Returns the hyperbolic cotangent of a number.", &[NUMBER], "FLOAT"),
    d("asin", "Trigonometric", "Returns the arcsine of a value, in radians.", &[RATIO], "FLOAT"),
    d("acos", "Trigonometric", "Returns the arccosine of a value, in radians.", &[RATIO], "FLOAT"),
    d("atan", "Trigonometric", "Returns the arctangent of a value, in radians.", &[NUMBER], "FLOAT"),
    d("atan2", "Trigonometric", "Returns the angle, in radians, of the point (x, y) from the x axis.", &[a("y", "FLOAT", "The y coordinate."), a("x", "FLOAT", "The x coordinate.")], "FLOAT"),
    d("degrees", "Trigonometric", "Converts radians to degrees.", &[ANGLE], "FLOAT"),
    d("radians", "Trigonometric", "Converts degrees to radians.", &[a("input", "FLOAT", "An angle in degrees.")], "FLOAT"),
    d("haversin", "Trigonometric", "Returns half the versine of an angle.", &[ANGLE], "FLOAT"),
    d("isNaN", "Numeric", "Returns true if a number is NaN (not a number).", &[NUMBER], "BOOLEAN"),
    // string
    d("toLower", "String", "Returns a string in lowercase.", &[STRING], "STRING"),
    d("toUpper", "String", "Returns a string in uppercase.", &[STRING], "STRING"),
    d("lower", "String", "Returns a string in lowercase (GQL's name for `toLower`).", &[STRING], "STRING"),
    d("upper", "String", "Returns a string in uppercase (GQL's name for `toUpper`).", &[STRING], "STRING"),
    d("trim", "String", "Returns a string without leading and trailing whitespace.", &[STRING], "STRING"),
    d("ltrim", "String", "Returns a string without leading whitespace, or without the given leading characters.", &[STRING, TRIM_CHARS], "STRING"),
    d("rtrim", "String", "Returns a string without trailing whitespace, or without the given trailing characters.", &[STRING, TRIM_CHARS], "STRING"),
    d("btrim", "String", "Returns a string without leading and trailing whitespace, or without the given characters at both ends.", &[STRING, TRIM_CHARS], "STRING"),
    d("char_length", "Scalar", "Returns the number of Unicode characters in a string.", &[STRING], "INTEGER"),
    d("normalize", "String", "Returns a string in a Unicode normal form.", &[STRING, opt("normalForm", "STRING", "NFC", "NFC, NFD, NFKC or NFKD.")], "STRING"),
    d("character_length", "Scalar", "Returns the number of Unicode characters in a string.", &[STRING], "INTEGER"),
    d("replace", "String", "Returns a string with every occurrence of one substring replaced by another.", &[a("original", "STRING", "The string to change."), a("search", "STRING", "The substring to replace."), a("replace", "STRING", "What to put in its place.")], "STRING"),
    d("substring", "String", "Returns part of a string, from a start position (0-based) and of a length.", &[a("original", "STRING", "The string to take from."), a("start", "INTEGER", "The 0-based position of the first character."), opt("length", "INTEGER", "null", "The number of characters; to the end if left out.")], "STRING"),
    d("split", "String", "Splits a string at each occurrence of a delimiter (or of any of a list of delimiters).", &[a("original", "STRING", "The string to split."), a("splitDelimiter", "STRING | LIST<STRING>", "The delimiter or delimiters.")], "LIST<STRING>"),
    d("left", "String", "Returns the first characters of a string.", &[a("original", "STRING", "The string."), a("length", "INTEGER", "How many characters.")], "STRING"),
    d("right", "String", "Returns the last characters of a string.", &[a("original", "STRING", "The string."), a("length", "INTEGER", "How many characters.")], "STRING"),
    // LOAD CSV
    d("linenumber", "Scalar", "Returns the line number of the row LOAD CSV is reading, or null outside LOAD CSV.", &[], "INTEGER"),
    d("file", "Scalar", "Returns the path of the file LOAD CSV is reading, or null outside LOAD CSV.", &[], "STRING"),
    // temporal
    d("date", "Temporal", "Creates a DATE from components, a string or another temporal value; the current date without an argument.", &[TEMPORAL_INPUT], "DATE"),
    d("datetime", "Temporal", "Creates a ZONED DATETIME from components, a string or another temporal value; the current instant without an argument.", &[TEMPORAL_INPUT], "ZONED DATETIME"),
    d("localdatetime", "Temporal", "Creates a LOCAL DATETIME from components, a string or another temporal value; the current instant without an argument.", &[TEMPORAL_INPUT], "LOCAL DATETIME"),
    d("time", "Temporal", "Creates a ZONED TIME from components, a string or another temporal value; the current time without an argument.", &[TEMPORAL_INPUT], "ZONED TIME"),
    d("localtime", "Temporal", "Creates a LOCAL TIME from components, a string or another temporal value; the current time without an argument.", &[TEMPORAL_INPUT], "LOCAL TIME"),
    d("duration", "Temporal", "Creates a DURATION from a map of components or an ISO 8601 string.", &[a("input", "ANY", "A map of components or a string such as 'P1DT2H'.")], "DURATION"),
    d("date.truncate", "Temporal", "Truncates a temporal value to a DATE at the given unit.", TRUNCATE_ARGS, "DATE"),
    d("datetime.truncate", "Temporal", "Truncates a temporal value to a ZONED DATETIME at the given unit.", TRUNCATE_ARGS, "ZONED DATETIME"),
    d("localdatetime.truncate", "Temporal", "Truncates a temporal value to a LOCAL DATETIME at the given unit.", TRUNCATE_ARGS, "LOCAL DATETIME"),
    d("time.truncate", "Temporal", "Truncates a temporal value to a ZONED TIME at the given unit.", TRUNCATE_ARGS, "ZONED TIME"),
    d("localtime.truncate", "Temporal", "Truncates a temporal value to a LOCAL TIME at the given unit.", TRUNCATE_ARGS, "LOCAL TIME"),
    d("datetime.fromepoch", "Temporal", "Creates a UTC ZONED DATETIME from seconds and nanoseconds since the epoch.", &[a("seconds", "INTEGER | FLOAT", "Seconds since 1970-01-01T00:00Z."), a("nanoseconds", "INTEGER | FLOAT", "Nanoseconds to add.")], "ZONED DATETIME"),
    d("datetime.fromepochmillis", "Temporal", "Creates a UTC ZONED DATETIME from milliseconds since the epoch.", &[a("milliseconds", "INTEGER | FLOAT", "Milliseconds since 1970-01-01T00:00Z.")], "ZONED DATETIME"),
    d("duration.between", "Temporal", "Returns the DURATION between two temporal values, in months, days, seconds and nanoseconds.", BETWEEN_ARGS, "DURATION"),
    d("duration.inMonths", "Temporal", "Returns the DURATION between two temporal values in whole months.", BETWEEN_ARGS, "DURATION"),
    d("duration.inDays", "Temporal", "Returns the DURATION between two temporal values in whole days.", BETWEEN_ARGS, "DURATION"),
    d("duration.inSeconds", "Temporal", "Returns the DURATION between two temporal values in seconds and nanoseconds.", BETWEEN_ARGS, "DURATION"),
    d("date.transaction", "Temporal", "Returns the current DATE by the transaction clock.", &[TIMEZONE], "DATE"),
    d("date.statement", "Temporal", "Returns the current DATE by the statement clock.", &[TIMEZONE], "DATE"),
    d("date.realtime", "Temporal", "Returns the current DATE by the real-time clock.", &[TIMEZONE], "DATE"),
    d("localtime.transaction", "Temporal", "Returns the current LOCAL TIME by the transaction clock.", &[TIMEZONE], "LOCAL TIME"),
    d("localtime.statement", "Temporal", "Returns the current LOCAL TIME by the statement clock.", &[TIMEZONE], "LOCAL TIME"),
    d("localtime.realtime", "Temporal", "Returns the current LOCAL TIME by the real-time clock.", &[TIMEZONE], "LOCAL TIME"),
    d("time.transaction", "Temporal", "Returns the current ZONED TIME by the transaction clock.", &[TIMEZONE], "ZONED TIME"),
    d("time.statement", "Temporal", "Returns the current ZONED TIME by the statement clock.", &[TIMEZONE], "ZONED TIME"),
    d("time.realtime", "Temporal", "Returns the current ZONED TIME by the real-time clock.", &[TIMEZONE], "ZONED TIME"),
    d("localdatetime.transaction", "Temporal", "Returns the current LOCAL DATETIME by the transaction clock.", &[TIMEZONE], "LOCAL DATETIME"),
    d("localdatetime.statement", "Temporal", "Returns the current LOCAL DATETIME by the statement clock.", &[TIMEZONE], "LOCAL DATETIME"),
    d("localdatetime.realtime", "Temporal", "Returns the current LOCAL DATETIME by the real-time clock.", &[TIMEZONE], "LOCAL DATETIME"),
    d("datetime.transaction", "Temporal", "Returns the current ZONED DATETIME by the transaction clock.", &[TIMEZONE], "ZONED DATETIME"),
    d("datetime.statement", "Temporal", "Returns the current ZONED DATETIME by the statement clock.", &[TIMEZONE], "ZONED DATETIME"),
    d("datetime.realtime", "Temporal", "Returns the current ZONED DATETIME by the real-time clock.", &[TIMEZONE], "ZONED DATETIME"),
    // spatial
    d("point", "Spatial", "Creates a 2D or 3D point, cartesian (x, y[, z]) or WGS-84 (longitude, latitude[, height]), from a map.", &[a("input", "MAP", "The coordinates and optionally `crs` or `srid`.")], "POINT"),
    d("point.distance", "Spatial", "Returns the distance between two points of the same coordinate system (metres for WGS-84).", &[a("from", "POINT", "A point."), a("to", "POINT", "A point in the same coordinate system.")], "FLOAT"),
    d("point.withinBBox", "Spatial", "Returns true if a point lies within the box spanned by two corners.", &[a("point", "POINT", "The point to test."), a("lowerLeft", "POINT", "The lower-left corner."), a("upperRight", "POINT", "The upper-right corner.")], "BOOLEAN"),
    // aggregates
    d("count", "Aggregating", "Returns the number of values that are not null (`count(*)`: the number of rows).", &[ANY], "INTEGER"),
    d("sum", "Aggregating", "Returns the sum of numbers or durations, ignoring nulls.", &[a("input", "INTEGER | FLOAT | DURATION", "The values, one per row.")], "INTEGER | FLOAT | DURATION"),
    d("avg", "Aggregating", "Returns the average of numbers or durations, ignoring nulls.", &[a("input", "INTEGER | FLOAT | DURATION", "The values, one per row.")], "FLOAT | DURATION"),
    d("min", "Aggregating", "Returns the smallest of the values, ignoring nulls.", &[ANY], "ANY"),
    d("max", "Aggregating", "Returns the largest of the values, ignoring nulls.", &[ANY], "ANY"),
    d("collect", "Aggregating", "Returns a list of the values, ignoring nulls.", &[ANY], "LIST<ANY>"),
    d("stDev", "Aggregating", "Returns the standard deviation of a sample of numbers.", &[NUMBER], "FLOAT"),
    d("stDevP", "Aggregating", "Returns the standard deviation of a whole population of numbers.", &[NUMBER], "FLOAT"),
    d("percentileCont", "Aggregating", "Returns the percentile of the values, interpolating between the two nearest.", PERCENTILE_ARGS, "FLOAT"),
    d("percentileDisc", "Aggregating", "Returns the percentile of the values, rounding to the nearest value present.", PERCENTILE_ARGS, "INTEGER | FLOAT"),
];

/// The documentation of the function with canonical name `name` (as in `FUNCTIONS`).
pub fn doc(name: &str) -> Option<&'static FunctionDoc> {
    DOCS.iter().find(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function has its documentation, with as many arguments as it takes (the
    /// optional ones last), and nothing is documented that does not exist.
    #[test]
    fn every_function_is_documented_with_its_arity() {
        for f in super::super::all() {
            let d = doc(f.name).unwrap_or_else(|| panic!("`{}` has no documentation", f.name));
            let required = d.args.iter().take_while(|a| a.default.is_none()).count();
            assert!(
                d.args[required..].iter().all(|a| a.default.is_some()),
                "`{}`: an optional argument before a required one",
                f.name
            );
            assert_eq!(required, f.min_args, "`{}`: required arguments", f.name);
            if f.max_args == super::super::VARIADIC {
                assert_eq!(d.args.len(), f.min_args, "`{}`: variadic", f.name);
            } else {
                assert_eq!(d.args.len(), f.max_args, "`{}`: all arguments", f.name);
            }
            assert!(!d.description.is_empty() && !d.returns.is_empty());
        }
        assert_eq!(DOCS.len(), super::super::all().len());
    }

    #[test]
    fn signatures_read_as_neo4j_prints_them() {
        let sig = |name: &str| {
            let info = super::super::lookup(name).expect("a function");
            doc(info.name).expect("documented").signature(&info)
        };
        assert_eq!(
            sig("abs"),
            "abs(input :: INTEGER | FLOAT) :: INTEGER | FLOAT"
        );
        assert_eq!(
            sig("substring"),
            "substring(original :: STRING, start :: INTEGER, length = null :: INTEGER) :: STRING"
        );
        assert_eq!(sig("coalesce"), "coalesce(input :: ANY, ...) :: ANY");
        assert_eq!(sig("pi"), "pi() :: FLOAT");
    }
}

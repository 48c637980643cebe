//! Built-in functions: the registry (`lookup`), scalar dispatch (`call`) and aggregates
//! (`new_aggregator`). One file per family; `catalog` describes them for `SHOW FUNCTIONS`.
//! A call reads the engine only through [`FunctionContext`]; this layer sits below the
//! expression evaluator and never imports it (`tests/architecture.rs`).

mod aggregate;
pub mod catalog;
mod graph;
mod list;
pub(crate) use list::range_parts;
mod math;
mod normalization;
mod scalar;
mod spatial;
mod string;
mod temporal;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::ast::{Expr, ExprKind};
use crate::error::{Error, ErrorClass, Phase, QueryError, Result};
use crate::store::GraphRead;
use crate::value::{Relationship, Value, MAX_LIST_LEN, MAX_STRING_BYTES};

pub use aggregate::{new_aggregator, new_partial_aggregator, Aggregator};
pub(crate) use aggregate::{Avg, Extreme, Sum};
pub(crate) use graph::entity_properties;
pub(crate) use normalization::is_normalized;
pub use scalar::{format_float, to_string_value};
pub(crate) use temporal::wall_clock;

/// What a function call needs from the engine around it. The expression evaluator's context
/// (`expr::EvalContext`) extends it, so the functions see neither expressions nor scopes and
/// the evaluator can hand its context to a call as it is.
pub trait FunctionContext {
    fn graph(&self) -> &dyn GraphRead;
    /// A relationship deleted earlier in this statement, when the engine kept a copy: openCypher
    /// still lets `type(r)` read a deleted relationship's type (TCK Return2, scenario 14), while its
    /// properties raise DeletedEntityAccess. Default: nothing kept.
    fn deleted_relationship(&self, _id: crate::value::RelId) -> Option<Relationship> {
        None
    }
    /// The statement's clock (nanoseconds since the Unix epoch), read once when it starts, so
    /// that `date()` and `datetime()` agree within a statement. Default: none, use the wall
    /// clock.
    fn statement_time(&self) -> Option<i128> {
        None
    }
    /// `linenumber()` and `file()`: the number of the record the most recent LOAD CSV returned
    /// and its file's absolute path. Default (outside LOAD CSV): none, so both are null.
    fn load_csv_position(&self) -> Option<(i64, std::sync::Arc<str>)> {
        None
    }
}

/// What the planner and semantic checks need to know about a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionInfo {
    /// The canonical spelling, e.g. `toInteger`.
    pub name: &'static str,
    pub min_args: usize,
    /// `usize::MAX` for variadic functions (`coalesce`).
    pub max_args: usize,
    pub aggregate: bool,
}

const fn f(name: &'static str, min_args: usize, max_args: usize) -> FunctionInfo {
    FunctionInfo {
        name,
        min_args,
        max_args,
        aggregate: false,
    }
}

const fn agg(name: &'static str, min_args: usize, max_args: usize) -> FunctionInfo {
    FunctionInfo {
        name,
        min_args,
        max_args,
        aggregate: true,
    }
}

const VARIADIC: usize = usize::MAX;

static FUNCTIONS: &[FunctionInfo] = &[
    // graph
    f("id", 1, 1),
    f("elementId", 1, 1),
    f("labels", 1, 1),
    f("type", 1, 1),
    f("keys", 1, 1),
    f("properties", 1, 1),
    f("startNode", 1, 1),
    f("endNode", 1, 1),
    f("nodes", 1, 1),
    f("relationships", 1, 1),
    f("length", 1, 1),
    f("exists", 1, 1),
    // scalar / conversion
    f("coalesce", 1, VARIADIC),
    f("size", 1, 1),
    f("toInteger", 1, 1),
    f("toIntegerOrNull", 1, 1),
    f("toFloat", 1, 1),
    f("toFloatOrNull", 1, 1),
    f("toString", 1, 1),
    f("toStringOrNull", 1, 1),
    f("toBoolean", 1, 1),
    f("toBooleanOrNull", 1, 1),
    f("timestamp", 0, 0),
    f("randomUUID", 0, 0),
    f("valueType", 1, 1),
    f("nullIf", 2, 2),
    f("isEmpty", 1, 1),
    // list
    f("head", 1, 1),
    f("last", 1, 1),
    f("tail", 1, 1),
    f("range", 2, 3),
    f("reverse", 1, 1),
    f("toIntegerList", 1, 1),
    f("toFloatList", 1, 1),
    f("toStringList", 1, 1),
    f("toBooleanList", 1, 1),
    // math
    f("abs", 1, 1),
    f("ceil", 1, 1),
    f("floor", 1, 1),
    f("round", 1, 3),
    f("sign", 1, 1),
    f("sqrt", 1, 1),
    f("exp", 1, 1),
    f("log", 1, 1),
    f("log10", 1, 1),
    f("e", 0, 0),
    f("pi", 0, 0),
    f("rand", 0, 0),
    f("sin", 1, 1),
    f("cos", 1, 1),
    f("tan", 1, 1),
    f("cot", 1, 1),
    f("sinh", 1, 1),
    f("cosh", 1, 1),
    f("tanh", 1, 1),
    f("coth", 1, 1),
    f("asin", 1, 1),
    f("acos", 1, 1),
    f("atan", 1, 1),
    f("atan2", 2, 2),
    f("degrees", 1, 1),
    f("radians", 1, 1),
    f("haversin", 1, 1),
    f("isNaN", 1, 1),
    // string
    f("toLower", 1, 1),
    f("toUpper", 1, 1),
    f("lower", 1, 1),
    f("upper", 1, 1),
    f("trim", 1, 1),
    f("ltrim", 1, 2),
    f("rtrim", 1, 2),
    f("btrim", 1, 2),
    f("char_length", 1, 1),
    f("normalize", 1, 2),
    f("character_length", 1, 1),
    f("replace", 3, 3),
    f("substring", 2, 3),
    f("split", 2, 2),
    f("left", 2, 2),
    f("right", 2, 2),
    // LOAD CSV
    f("linenumber", 0, 0),
    f("file", 0, 0),
    // temporal
    f("date", 0, 1),
    f("datetime", 0, 1),
    f("localdatetime", 0, 1),
    f("time", 0, 1),
    f("localtime", 0, 1),
    f("duration", 1, 1),
    f("date.truncate", 1, 3),
    f("datetime.truncate", 1, 3),
    f("localdatetime.truncate", 1, 3),
    f("time.truncate", 1, 3),
    f("localtime.truncate", 1, 3),
    f("datetime.fromepoch", 2, 2),
    f("datetime.fromepochmillis", 1, 1),
    f("duration.between", 2, 2),
    f("duration.inMonths", 2, 2),
    f("duration.inDays", 2, 2),
    f("duration.inSeconds", 2, 2),
    f("date.transaction", 0, 1),
    f("date.statement", 0, 1),
    f("date.realtime", 0, 1),
    f("localtime.transaction", 0, 1),
    f("localtime.statement", 0, 1),
    f("localtime.realtime", 0, 1),
    f("time.transaction", 0, 1),
    f("time.statement", 0, 1),
    f("time.realtime", 0, 1),
    f("localdatetime.transaction", 0, 1),
    f("localdatetime.statement", 0, 1),
    f("localdatetime.realtime", 0, 1),
    f("datetime.transaction", 0, 1),
    f("datetime.statement", 0, 1),
    f("datetime.realtime", 0, 1),
    // spatial
    f("point", 1, 1),
    f("point.distance", 2, 2),
    f("point.withinBBox", 3, 3),
    // aggregates
    agg("count", 1, 1),
    agg("sum", 1, 1),
    agg("avg", 1, 1),
    agg("min", 1, 1),
    agg("max", 1, 1),
    agg("collect", 1, 1),
    agg("stDev", 1, 1),
    agg("stDevP", 1, 1),
    agg("percentileCont", 2, 2),
    agg("percentileDisc", 2, 2),
];

/// Lower-cases a function name into `buf` without allocating (names longer than the buffer
/// come back unchanged, which then simply finds no function).
pub fn lowercase_name<'a>(name: &'a str, buf: &'a mut [u8; 32]) -> &'a str {
    let bytes = name.as_bytes();
    if bytes.len() > buf.len() || !name.is_ascii() {
        return name;
    }
    let out = &mut buf[..bytes.len()];
    out.copy_from_slice(bytes);
    out.make_ascii_lowercase();
    std::str::from_utf8(out).unwrap_or(name)
}

/// The function called `name` (case-insensitive), if there is one.
/// Every built-in function, in the order of the table (for `SHOW FUNCTIONS`).
pub fn all() -> &'static [FunctionInfo] {
    FUNCTIONS
}

pub fn lookup(name: &str) -> Option<FunctionInfo> {
    static BY_NAME: OnceLock<HashMap<String, FunctionInfo>> = OnceLock::new();
    let table = BY_NAME.get_or_init(|| {
        FUNCTIONS
            .iter()
            .map(|f| (f.name.to_ascii_lowercase(), *f))
            .collect()
    });
    let mut buf = [0u8; 32];
    let lower = lowercase_name(name, &mut buf);
    table.get(lower).copied()
}

/// True for functions whose result depends on the clock when called with `n_args` arguments
/// (`date()`, `datetime.realtime()`, …): never constant-folded.
pub fn reads_clock(info: &FunctionInfo, n_args: usize) -> bool {
    match info.name.split_once('.') {
        Some((_, "statement" | "transaction" | "realtime")) => true,
        Some(_) => false,
        None => {
            matches!(
                info.name,
                "date" | "datetime" | "localdatetime" | "time" | "localtime"
            ) && n_args == 0
        }
    }
}

/// True for the aggregate functions (`count`, `sum`, …), case-insensitive.
pub fn is_aggregate(name: &str) -> bool {
    lookup(name).is_some_and(|f| f.aggregate)
}

/// Calls the scalar function with canonical name `name` (as in [`FunctionInfo::name`]) on
/// evaluated arguments. Arity is checked here too, so a bad call is an error, not a panic.
pub fn call(name: &str, args: Vec<Value>, ctx: &dyn FunctionContext) -> Result<Value> {
    let Some(info) = lookup(name) else {
        return Err(QueryError::new(
            ErrorClass::SyntaxError,
            "UnknownFunction",
            Phase::Runtime,
            format!("unknown function `{name}`"),
        )
        .into());
    };
    call_function(&info, args, ctx)
}

/// Calls a function already looked up (saves the name lookup on the per-row path).
pub fn call_function(
    info: &FunctionInfo,
    mut args: Vec<Value>,
    ctx: &dyn FunctionContext,
) -> Result<Value> {
    if args.len() < info.min_args || args.len() > info.max_args {
        return Err(QueryError::new(
            ErrorClass::SyntaxError,
            "InvalidNumberOfArguments",
            Phase::Runtime,
            format!("wrong number of arguments for `{}`", info.name),
        )
        .into());
    }
    // Each family answers `None` for names it does not own; arguments may be moved out.
    let args = args.as_mut_slice();
    match info.name {
        "linenumber" => {
            return Ok(ctx
                .load_csv_position()
                .map_or(Value::Null, |(line, _)| Value::Int(line)))
        }
        "file" => {
            return Ok(ctx
                .load_csv_position()
                .map_or(Value::Null, |(_, file)| Value::String(file.to_string())))
        }
        _ => {}
    }
    if let Some(r) = graph::call(info.name, args, ctx) {
        return r;
    }
    if let Some(r) = scalar::call(info.name, args) {
        return r;
    }
    if let Some(r) = list::call(info.name, args) {
        return r;
    }
    if let Some(r) = math::call(info.name, args) {
        return r;
    }
    if let Some(r) = string::call(info.name, args) {
        return r;
    }
    if let Some(r) = temporal::call(info.name, args, ctx) {
        return r;
    }
    if let Some(r) = spatial::call(info.name, args) {
        return r;
    }
    Err(QueryError::new(
        ErrorClass::SyntaxError,
        "InvalidAggregation",
        Phase::Runtime,
        format!("`{}` is an aggregate function", info.name),
    )
    .into())
}

/// A TypeError / InvalidArgumentValue for a function argument of the wrong type.
pub(crate) fn bad_arg(function: &str, v: &Value) -> crate::error::Error {
    QueryError::type_error(
        "InvalidArgumentValue",
        format!("`{function}` cannot take a {} argument", v.type_name()),
    )
    .into()
}

/// An ArgumentError with a detail code.
pub(crate) fn arg_error(detail: &str, message: impl Into<String>) -> crate::error::Error {
    QueryError::new(ErrorClass::ArgumentError, detail, Phase::Runtime, message).into()
}

/// ArgumentError when a string (bytes) or list (elements) would grow past its limit;
/// MemoryLimitExceeded when building it would take the statement past its memory limit.
pub(crate) fn check_len(what: &str, len: usize) -> Result<()> {
    let (max, item_bytes) = if what == "string" {
        (MAX_STRING_BYTES, 1)
    } else {
        (MAX_LIST_LEN, std::mem::size_of::<Value>())
    };
    if len <= max {
        return crate::memory_budget::reserve((len * item_bytes) as u64);
    }
    Err(Error::from(QueryError::new(
        ErrorClass::ArgumentError,
        "NumberOutOfRange",
        Phase::Runtime,
        format!("a {what} of {len} would be longer than the limit of {max}"),
    )))
}

/// Moves a value out of an argument slot, leaving null behind.
pub(crate) fn take(v: &mut Value) -> Value {
    std::mem::replace(v, Value::Null)
}

/// True when `e` contains an aggregate function call (not descending into subqueries).
pub fn has_aggregate(e: &Expr) -> bool {
    let mut found = false;
    crate::ast::walk::visit(e, &mut |x| {
        if is_aggregate_call(x) {
            found = true;
        }
        !found
    });
    found
}

/// True for `count(*)` and calls of aggregate functions.
pub fn is_aggregate_call(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::CountStar => true,
        ExprKind::Function { name, .. } => lookup(name).is_some_and(|f| f.aggregate),
        _ => false,
    }
}

//! LOAD CSV's row position: the hidden column that carries `linenumber()` and `file()` of the
//! record a row came from. Here, below the planner (which adds the column), the evaluator
//! (which reads it) and the LOAD CSV operator (which fills it), so that none imports upward.

use crate::value::Value;

/// The hidden column holding `[linenumber(), file()]` of the record a row came from.
pub const POSITION: &str = "  load_csv_position";

/// `linenumber()` and `file()` of a row: its [`POSITION`] column when the row has one (a
/// write reads its input whole before evaluating, so the context's last record is not the
/// row's), else the context's most recent record; null outside LOAD CSV.
pub(crate) fn position_of(value: Option<&Value>) -> Option<(i64, Value)> {
    match value {
        Some(Value::List(p)) => match p.as_slice() {
            [Value::Int(line), file] => Some((*line, file.clone())),
            _ => None,
        },
        _ => None,
    }
}

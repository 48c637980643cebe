//! Projection (WITH/RETURN items), column selection, DISTINCT and UNWIND.

use crate::ast::{Expr, ExprKind};
use crate::error::Result;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::hash::FxHashSet;
use crate::value::{GroupKey, Value};

pub struct Project<'p> {
    pub input: BoxOp<'p>,
    pub items: &'p [(String, Expr)],
    pub keep: bool,
    pub cols: &'p [String],
}

impl Operator for Project<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        let Some(row) = self.input.next(ctx)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.items.len() + if self.keep { row.len() } else { 0 });
        for (_, e) in self.items {
            out.push(ctx.eval(e, self.cols, &row)?);
        }
        if self.keep {
            out.extend(row);
        }
        Ok(Some(out))
    }
}

pub struct Select<'p> {
    pub input: BoxOp<'p>,
    pub count: usize,
}

impl Operator for Select<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        Ok(self.input.next(ctx)?.map(|mut r| {
            r.truncate(self.count);
            r
        }))
    }
}

pub struct Distinct<'p> {
    pub input: BoxOp<'p>,
    pub seen: FxHashSet<GroupKey>,
}

impl Operator for Distinct<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            let key = row_key(&row);
            if self.seen.insert(key) {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// The grouping key of a whole row.
pub(crate) fn row_key(row: &[Value]) -> GroupKey {
    if row.len() == 1 {
        GroupKey::new(&row[0])
    } else {
        GroupKey::of_values(row)
    }
}

/// The shared loop of operators that turn each input row into one row per item (UNWIND,
/// LOAD CSV): the row extended by the item.
#[derive(Default)]
pub struct Fanout {
    current: Option<Row>,
    items: Items,
}

impl Fanout {
    /// The next output row; `items` gives the items of each new input row.
    pub fn next(
        &mut self,
        ctx: &mut ExecCtx<'_>,
        input: &mut BoxOp<'_>,
        mut items: impl FnMut(&mut ExecCtx<'_>, &Row) -> Result<Items>,
    ) -> Result<Option<Row>> {
        loop {
            if let Some(row) = &self.current {
                if let Some(v) = self.items.next() {
                    ctx.tick()?;
                    let mut r = row.clone();
                    r.push(v);
                    return Ok(Some(r));
                }
            }
            let Some(row) = input.next(ctx)? else {
                return Ok(None);
            };
            self.items = items(ctx, &row)?;
            self.current = Some(row);
        }
    }
}

pub struct Unwind<'p> {
    pub input: BoxOp<'p>,
    pub expr: &'p Expr,
    pub cols: &'p [String],
    pub fanout: Fanout,
}

impl Operator for Unwind<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        let (expr, cols) = (self.expr, self.cols);
        self.fanout.next(ctx, &mut self.input, |ctx, row| {
            // `UNWIND range(a, b)` counts instead of building the list, so a load of any size
            // (`UNWIND range(1, 5000000) AS i CALL { … } IN TRANSACTIONS`) holds one number.
            if let ExprKind::Function {
                name,
                distinct: false,
                args,
            } = &expr.kind
            {
                if name.eq_ignore_ascii_case("range") && (2..=3).contains(&args.len()) {
                    let args = args
                        .iter()
                        .map(|a| ctx.eval(a, cols, row))
                        .collect::<Result<Vec<_>>>()?;
                    let (next, step, left) = crate::functions::range_parts(&args)?;
                    return Ok(Items::Range { next, step, left });
                }
            }
            Ok(match ctx.eval(expr, cols, row)? {
                Value::List(items) => items.into(),
                Value::Null => Vec::new().into(),
                other => vec![other].into(),
            })
        })
    }
}

/// The items one input row fans out to: a list, or an integer range walked lazily.
pub enum Items {
    List(std::vec::IntoIter<Value>),
    Range { next: i128, step: i128, left: i128 },
}

impl Default for Items {
    fn default() -> Self {
        Items::List(Vec::new().into_iter())
    }
}

impl From<Vec<Value>> for Items {
    fn from(v: Vec<Value>) -> Self {
        Items::List(v.into_iter())
    }
}

impl Iterator for Items {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        match self {
            Items::List(it) => it.next(),
            Items::Range { next, step, left } => {
                if *left <= 0 {
                    return None;
                }
                let v = *next;
                *next += *step;
                *left -= 1;
                // Every element lies between the (i64) bounds, so it fits.
                Some(Value::Int(v as i64))
            }
        }
    }
}

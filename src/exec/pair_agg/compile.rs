//! The pair path's expressions: the property reads it remembers per input row or
//! relationship, and the filters, keys and arguments compiled to use them.

use crate::ast::walk::{rewrite, visit};
use crate::ast::{BinaryOp, Expr, ExprKind};
use crate::error::Result;
use crate::exec::ExecCtx;
use crate::value::Value;

/// Where a remembered read's variable is bound: the input row or one of the expansions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Of {
    Input,
    Outer,
    Inner,
}

/// One remembered read: `var.key`, its column in the row, its place among its side's reads.
struct One<'p> {
    of: Of,
    expr: &'p Expr,
    var: &'p str,
    key: &'p str,
    slot: usize,
    k: usize,
}

/// Every remembered read, in the order first met.
pub(crate) struct Reads<'p> {
    all: Vec<One<'p>>,
    /// Reads per side (`Of` as an index).
    count: [usize; 3],
    /// Some expression evaluated on the row reads a remembered inner value: the row gets the
    /// pair's values (else they are only looked up).
    place_inner: bool,
}

/// The remembered values for the current pair: the input row's, the outer relationship's
/// and the inner relationship's (`None`: that read failed).
pub(crate) struct Read<'a> {
    pub input: &'a [Option<Value>],
    pub outer: &'a [Option<Value>],
    pub inner: &'a [Option<Value>],
}

impl Read<'_> {
    fn get(&self, of: Of, k: usize) -> Option<&Value> {
        let side = match of {
            Of::Input => self.input,
            Of::Outer => self.outer,
            Of::Inner => self.inner,
        };
        side.get(k).and_then(Option::as_ref)
    }
}

/// True when `e` is made only of what the pair path evaluates exactly as the operators do:
/// nothing that binds a variable (a rewritten `a.id` inside would mean another `a`) and no
/// nested plan (found by the expression's address, which a rewritten copy does not keep).
fn simple(e: &Expr) -> bool {
    let mut ok = true;
    visit(e, &mut |x| {
        ok &= matches!(
            x.kind,
            ExprKind::Null
                | ExprKind::Bool(_)
                | ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::String(_)
                | ExprKind::Parameter(_)
                | ExprKind::Variable(_)
                | ExprKind::List(_)
                | ExprKind::Map(_)
                | ExprKind::Property(..)
                | ExprKind::Index(..)
                | ExprKind::Slice(..)
                | ExprKind::Unary(..)
                | ExprKind::Binary(..)
                | ExprKind::IsNull { .. }
                | ExprKind::TypeTest { .. }
                | ExprKind::Normalized { .. }
                | ExprKind::HasLabels(..)
                | ExprKind::LabelTest(..)
                | ExprKind::Function { .. }
                | ExprKind::CountStar
                | ExprKind::Case { .. }
        );
        ok
    });
    ok
}

/// True when `e` gives the same value every time it is evaluated on the same row: no
/// `rand()`, `randomUUID()` or real-time clock (the statement clock is shared by every
/// thread of the statement).
pub(crate) fn deterministic(e: &Expr) -> bool {
    let mut ok = true;
    visit(e, &mut |x| {
        if let ExprKind::Function { name, .. } = &x.kind {
            let name = name.to_ascii_lowercase();
            ok &= !(name == "rand" || name == "randomuuid" || name.ends_with(".realtime"));
        }
        ok
    });
    ok
}

/// `var.key` when `e` is a property of a variable.
fn var_property(e: &Expr) -> Option<(&str, &str)> {
    match &e.kind {
        ExprKind::Property(base, key) => match &base.kind {
            ExprKind::Variable(v) => Some((v.as_str(), key.as_str())),
            _ => None,
        },
        _ => None,
    }
}

impl<'p> Reads<'p> {
    /// The reads of `exprs` (`of` says where a variable is bound; others are not read
    /// ahead), each given a column appended to `cols`; `None` when some expression is not
    /// [`simple`].
    pub fn of(
        exprs: &[&'p Expr],
        of: &dyn Fn(&str) -> Option<Of>,
        cols: &mut Vec<String>,
    ) -> Option<Reads<'p>> {
        let mut reads = Reads {
            all: Vec::new(),
            count: [0; 3],
            place_inner: false,
        };
        for e in exprs {
            if !simple(e) {
                return None;
            }
            reads.collect(e, of, cols)?;
        }
        Some(reads)
    }

    fn collect(
        &mut self,
        e: &'p Expr,
        of: &dyn Fn(&str) -> Option<Of>,
        cols: &mut Vec<String>,
    ) -> Option<()> {
        if let Some((var, key)) = var_property(e) {
            if let Some(side) = of(var) {
                if !self.all.iter().any(|r| r.var == var && r.key == key) {
                    // A name no statement can write (a NUL byte), checked all the same.
                    let name = format!("\u{0}read{}", self.all.len());
                    if cols.contains(&name) {
                        return None;
                    }
                    cols.push(name);
                    let k = self.count[side as usize];
                    self.count[side as usize] += 1;
                    self.all.push(One {
                        of: side,
                        expr: e,
                        var,
                        key,
                        slot: cols.len() - 1,
                        k,
                    });
                }
                return Some(());
            }
        }
        for c in crate::ast::walk::children(e) {
            self.collect(c, of, cols)?;
        }
        Some(())
    }

    pub fn count(&self, of: Of) -> usize {
        self.count[of as usize]
    }

    /// Reads side `of`'s properties on `row` (their variables bound) into `out` and into
    /// their columns of the row; a failed read is `None` (and null in the row).
    pub fn read(
        &self,
        ctx: &ExecCtx<'_>,
        cols: &[String],
        of: Of,
        row: &mut [Value],
        out: &mut Vec<Option<Value>>,
    ) {
        out.clear();
        for r in self.all.iter().filter(|r| r.of == of) {
            let v = ctx.eval(r.expr, cols, row).ok();
            row[r.slot] = v.clone().unwrap_or(Value::Null);
            out.push(v);
        }
    }

    /// The inner reads of inner relationship `j` among `vals` (all inner relationships').
    pub fn slice<'a>(&self, of: Of, vals: &'a [Option<Value>], j: usize) -> &'a [Option<Value>] {
        let k = self.count(of);
        vals.get(j * k..(j + 1) * k).unwrap_or(&[])
    }

    /// Puts inner relationship `j`'s reads into their columns of `row`, when an expression
    /// evaluated on the row needs them.
    pub fn place(&self, of: Of, row: &mut [Value], vals: &[Option<Value>], j: usize) {
        if !self.place_inner {
            return;
        }
        let mine = self.slice(of, vals, j);
        for r in self.all.iter().filter(|r| r.of == of) {
            row[r.slot] = mine.get(r.k).and_then(Clone::clone).unwrap_or(Value::Null);
        }
    }

    /// The read whose column is named `name`.
    fn named(&self, name: &str, cols: &[String]) -> Option<&One<'p>> {
        self.all.iter().find(|r| cols[r.slot] == name)
    }
}

/// Where a compiled expression finds a value.
#[derive(Clone, Copy)]
enum Term {
    /// A column of the row (the input's or one the expansions bind).
    Slot(usize),
    /// A remembered read.
    Read(Of, usize),
}

enum Form {
    Term(Term),
    /// A comparison (`=`, `<>`, `<`, `<=`, `>`, `>=`) of two terms.
    Cmp(BinaryOp, Term, Term),
    /// Anything else: the expression with its reads replaced by their columns, evaluated on
    /// the row.
    Eval(Expr),
}

/// A filter, key or argument of the pair path.
pub(crate) struct Compiled<'p> {
    original: &'p Expr,
    form: Form,
    /// The remembered reads the expression uses.
    uses: Vec<(Of, usize)>,
}

impl<'p> Compiled<'p> {
    /// `e` compiled against `reads` (whose columns are in `cols`); marks `reads` when the
    /// row must hold the inner values.
    pub fn of(e: &'p Expr, reads: &mut Reads<'p>, cols: &[String]) -> Compiled<'p> {
        let mut copy = e.clone();
        let mut uses = Vec::new();
        rewrite(&mut copy, &mut |x| {
            let Some((var, key)) = var_property(x) else {
                return true;
            };
            let Some(r) = reads.all.iter().find(|r| r.var == var && r.key == key) else {
                return true;
            };
            uses.push((r.of, r.k));
            x.kind = ExprKind::Variable(cols[r.slot].clone());
            false
        });
        let term = |x: &Expr| match &x.kind {
            ExprKind::Variable(name) => match reads.named(name, cols) {
                Some(r) => Some(Term::Read(r.of, r.k)),
                None => cols.iter().position(|c| c == name).map(Term::Slot),
            },
            _ => None,
        };
        let form = match &copy.kind {
            ExprKind::Variable(_) => term(&copy).map(Form::Term),
            ExprKind::Binary(
                op @ (BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge),
                l,
                r,
            ) => match (term(l), term(r)) {
                (Some(l), Some(r)) => Some(Form::Cmp(*op, l, r)),
                _ => None,
            },
            _ => None,
        };
        let form = form.unwrap_or_else(|| {
            reads.place_inner |= uses.iter().any(|(of, _)| *of == Of::Inner);
            Form::Eval(copy)
        });
        Compiled {
            original: e,
            form,
            uses,
        }
    }

    /// True when the expression reads a variable bound by the inner expansion (directly
    /// or through a remembered read).
    pub fn mentions(&self, names: &[&str]) -> bool {
        let mut found = false;
        visit(self.original, &mut |x| {
            found |= matches!(&x.kind, ExprKind::Variable(v) if names.contains(&v.as_str()));
            !found
        });
        found
    }

    /// The value for the current row: from the remembered reads when the ones it uses all
    /// succeeded, else the original expression on the row (which then fails as the
    /// row-at-a-time evaluation does).
    #[inline]
    pub fn value(
        &self,
        ctx: &ExecCtx<'_>,
        cols: &[String],
        row: &[Value],
        got: &Read<'_>,
    ) -> Result<Value> {
        let term = |t: &Term| match t {
            Term::Slot(i) => row.get(*i),
            Term::Read(of, k) => got.get(*of, *k),
        };
        match &self.form {
            Form::Term(t) => match term(t) {
                Some(v) => Ok(v.clone()),
                None => ctx.eval(self.original, cols, row),
            },
            Form::Cmp(op, l, r) => match (term(l), term(r)) {
                (Some(a), Some(b)) => crate::expr::compare_like(*op, a, b),
                _ => ctx.eval(self.original, cols, row),
            },
            Form::Eval(e) => {
                if self.uses.iter().all(|(of, k)| got.get(*of, *k).is_some()) {
                    ctx.eval(e, cols, row)
                } else {
                    ctx.eval(self.original, cols, row)
                }
            }
        }
    }
}

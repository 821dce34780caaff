"""Run the selected rules over one parsed document."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dfopt.engine.selection import Selection, matches
from dfopt.engine.suppression import Suppressions, collect
from dfopt.fixes import Fix
from dfopt.rules_api import Context, Review, Rule, Settings, Violation
from dfopt.semantics import analyze
from dfopt.syntax import Document, Form, Instruction
from dfopt.syntax._record import record, set_field


@record()
class RuleProblem:
    """A rule that crashed or was misconfigured; the run goes on without it."""

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        set_field(self, "code", code)
        set_field(self, "message", message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class LintResult:
    """What linting one document found: the kept violations, crashed rules and pragmas."""

    __slots__ = ("document", "problems", "suppressions", "violations")

    document: Document
    violations: list[Violation]
    problems: list[RuleProblem]
    suppressions: Suppressions | None

    def __init__(
        self,
        document: Document,
        violations: list[Violation],
        problems: list[RuleProblem] | None = None,
        suppressions: Suppressions | None = None,
    ) -> None:
        self.document = document
        self.violations = violations
        self.problems = [] if problems is None else problems
        self.suppressions = suppressions


def _sort_key(violation: Violation) -> tuple[int, int, str]:
    return (violation.span.start, violation.span.end, violation.code)


def make_rules(
    selection: Selection, rule_options: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[list[Rule], list[RuleProblem]]:
    """Instantiate the selected rules with their options."""
    if not rule_options and not _takes_options(selection):
        return [rule_class(None) for rule_class in selection.rules], []
    instances: list[Rule] = []
    problems: list[RuleProblem] = []
    options_by_key = rule_options or {}
    for rule_class in selection.rules:
        raw: Mapping[str, Any] = {}
        for key in (rule_class.code, rule_class.name, *rule_class.aliases):
            if key in options_by_key:
                raw = options_by_key[key]
                break
        options = None
        if rule_class.Options is not None:
            from pydantic import ValidationError  # only rules with options need pydantic

            try:
                options = rule_class.Options.model_validate(dict(raw))
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                problems.append(
                    RuleProblem(rule_class.code, f"bad option `{where}`: {first['msg']}")
                )
                continue
        elif raw:
            problems.append(RuleProblem(rule_class.code, "this rule takes no options"))
        instances.append(rule_class(options))
    return instances, problems


class _Plan:
    """What the engine works out once per selection: who sees which keyword, and which
    rules have ``finish`` or ``review`` hooks (the base class's do nothing)."""

    __slots__ = ("dispatch", "finishers", "gated", "onbuild", "reviewers", "takes_options")

    def __init__(self, rules: Sequence[type[Rule]]) -> None:
        dispatch: dict[str, list[int]] = {}
        onbuild: dict[str, list[int]] = {}
        for index, rule in enumerate(rules):
            for keyword in rule.targets:
                dispatch.setdefault(keyword, []).append(index)
                if rule.include_onbuild:
                    onbuild.setdefault(keyword, []).append(index)
        self.dispatch = {keyword: tuple(found) for keyword, found in dispatch.items()}
        self.onbuild = {keyword: tuple(found) for keyword, found in onbuild.items()}
        self.finishers = tuple(
            index for index, rule in enumerate(rules) if rule.finish is not Rule.finish
        )
        self.reviewers = tuple(
            index for index, rule in enumerate(rules) if rule.review is not Rule.review
        )
        self.takes_options = any(rule.Options is not None for rule in rules)
        self.gated = any(rule.programs and "RUN" in rule.targets for rule in rules)
        """True when some RUN rule only looks at some programs (:attr:`Rule.programs`)."""


def _plan(selection: Selection) -> _Plan:
    known = _PLANS.get(id(selection))
    if known is None or known[0] is not selection:
        known = (selection, _Plan(selection.rules))
        if len(_PLANS) >= 64:
            _PLANS.clear()
        _PLANS[id(selection)] = known
    return known[1]


_PLANS: dict[int, tuple[Selection, _Plan]] = {}


def _takes_options(selection: Selection) -> bool:
    """True when a selected rule has options (they are validated for every file)."""
    return _plan(selection).takes_options


def lint_document(
    document: Document,
    selection: Selection,
    *,
    path: Path | None = None,
    settings: Settings | None = None,
    rule_options: Mapping[str, Mapping[str, Any]] | None = None,
    allow_inline_pragmas: bool = True,
) -> LintResult:
    """Lint ``document`` with the rules of ``selection``."""
    rules, problems = make_rules(selection, rule_options)
    semantics = analyze(document)
    ctx = Context(document, semantics, path, settings)
    if len(rules) == len(selection.rules):
        plan = _plan(selection)
    else:  # a rule with bad options was left out
        plan = _Plan([type(rule) for rule in rules])
    found: list[Violation] = []
    broken: set[str] = set()
    for problem in document.problems:
        if "DL1000" in selection.severities:
            found.append(Violation("DL1000", problem.message, problem.span, None))
    by_keyword: dict[str, list[Rule]] = {}
    by_trigger: dict[str, list[Rule]] = {}
    for instruction in document.instructions:
        keyword = instruction.keyword
        targets = by_keyword.get(keyword)
        if targets is None:
            targets = by_keyword[keyword] = [rules[i] for i in plan.dispatch.get(keyword, ())]
        if targets:
            if keyword == "RUN" and plan.gated:
                targets = _for_programs(targets, ctx, instruction)
            _visit(instruction, targets, ctx, found, problems, broken)
        trigger = instruction.trigger
        if trigger is not None:
            keyword = trigger.keyword
            targets = by_trigger.get(keyword)
            if targets is None:
                targets = by_trigger[keyword] = [rules[i] for i in plan.onbuild.get(keyword, ())]
            if keyword == "RUN" and plan.gated:
                targets = _for_programs(targets, ctx, instruction)
            ctx.onbuild = True
            _visit(instruction, targets, ctx, found, problems, broken)
            ctx.onbuild = False
    for index in plan.finishers:
        rule = rules[index]
        if rule.code in broken:
            continue
        try:
            found.extend(rule.finish(ctx))
        except Exception:
            problems.append(RuleProblem(rule.code, _crash()))
            broken.add(rule.code)
    suppressions = collect(document, allow_inline_pragmas)
    kept: list[Violation] = []
    names = {rule.code: rule for rule in selection.rules}
    for violation in found:
        rule_class = names.get(violation.code)
        if violation.code in broken:
            continue
        if rule_class is not None and suppressions.suppressed(
            violation.code, violation.span, _matcher(rule_class)
        ):
            continue
        severity = selection.severities.get(violation.code, violation.severity)
        name = rule_class.name if rule_class is not None else violation.name
        kept.append(_guarded(violation.labelled(severity, name), problems))
    reviewers = [rules[index] for index in plan.reviewers]
    if reviewers:
        review = Review(document, tuple(kept), suppressions, tuple(problems), selection.rules)
        for rule in reviewers:
            if rule.code in broken:
                continue
            try:
                extra = list(rule.review(review, ctx))
            except Exception:
                problems.append(RuleProblem(rule.code, _crash()))
                continue
            rule_class = type(rule)
            for violation in extra:
                if suppressions.suppressed(violation.code, violation.span, _matcher(rule_class)):
                    continue
                severity = selection.severities.get(violation.code, violation.severity)
                kept.append(_guarded(violation.labelled(severity, rule_class.name), problems))
    kept.sort(key=_sort_key)
    return LintResult(document, _dedupe(kept), problems, suppressions)


def _for_programs(rules: list[Rule], ctx: Context, instruction: Instruction) -> list[Rule]:
    """The RUN rules that need to see ``instruction``: those about any program, and those
    about a program the RUN runs: a command of its shell scripts (commands with a syntax
    error included) or the program an exec-form RUN starts."""
    names = {
        command.command
        for source in ctx.scripts(instruction)
        for command in source.script.commands
        if command.command is not None
    }
    target = instruction.effective
    if target.form is Form.EXEC and target.exec_args:
        names.add(target.exec_args[0].value.rsplit("/", 1)[-1])
    return [rule for rule in rules if not rule.programs or not rule.programs.isdisjoint(names)]


def _matcher(rule_class: type[Rule]) -> Callable[[str, str], bool]:
    def is_match(selector: str, _code: str) -> bool:
        return matches(selector, rule_class)

    return is_match


def _visit(
    instruction: Instruction,
    rules: Iterable[Rule],
    ctx: Context,
    found: list[Violation],
    problems: list[RuleProblem],
    broken: set[str],
) -> None:
    for rule in rules:
        if broken and rule.code in broken:
            continue
        try:
            found.extend(rule.check(instruction, ctx))
        except Exception:
            problems.append(RuleProblem(rule.code, _crash()))
            broken.add(rule.code)


def _guarded(violation: Violation, problems: list[RuleProblem]) -> Violation:
    """``violation`` with a fix planned on demand that cannot raise: a planner that
    raises leaves this one finding without a fix and adds a :class:`RuleProblem` naming
    the rule to ``problems`` (the list the :class:`LintResult` reports), whenever the
    fix is first read."""
    plan = violation.fix_source
    if plan is None or isinstance(plan, Fix) or not callable(plan):
        return violation
    code = violation.code

    def guarded() -> Fix | None:
        try:
            return plan()
        except Exception:
            problem = RuleProblem(code, _crash("fix planner crashed"))
            if problem not in problems:
                problems.append(problem)
            return None

    return violation.with_fix(guarded)


def _crash(what: str = "rule crashed") -> str:
    import traceback  # only when a rule crashes

    lines = traceback.format_exc().strip().splitlines()
    return f"{what}: {lines[-1]}" if lines else what


def _dedupe(violations: list[Violation]) -> list[Violation]:
    seen: set[tuple[str, int, int, str]] = set()
    unique = []
    for violation in violations:
        key = (violation.code, violation.span.start, violation.span.end, violation.message)
        if key not in seen:
            seen.add(key)
            unique.append(violation)
    return unique

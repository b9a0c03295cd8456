"""Care-plan rows from the demo's problem library (data.PROBLEMS), shared by the scenario seed
(seed.py) and the team's caseloads (team.py): one way to turn a library problem into a Problem,
its measurable goals and their interventions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from caseload.careplans.models import CarePlan, Goal, GoalStatus, Intervention, Problem
from caseload.demo import data


@dataclass
class PlanRows:
    """Unsaved rows for one or more plans, in the order they are written."""

    problems: list[Problem] = field(default_factory=list)
    goals: list[tuple[Goal, data.GoalSpec]] = field(default_factory=list)
    items: list[Intervention] = field(default_factory=list)

    def add_problem(
        self,
        plan: CarePlan,
        key: str,
        *,
        target_of: Callable[[data.GoalSpec], dt.date],
        status_of: Callable[[data.InterventionSpec], str],
    ) -> Problem:
        """Library problem ``key`` on ``plan``: each goal's target date from ``target_of``, each
        intervention's status from ``status_of``."""
        template = data.PROBLEMS[key]
        problem = Problem(careplan=plan, description=template.description)
        problem.detail = template.detail
        self.problems.append(problem)
        for spec in template.goals:
            target = target_of(spec)
            goal = Goal(
                careplan=plan,
                problem=problem,
                description=spec.description.format(date=f"{target:%d %B %Y}"),
                measure=spec.measure,
                target_value=spec.target_value,
                target_date=target,
                status=GoalStatus.ACTIVE,
                expressed_by=spec.expressed_by,
            )
            self.goals.append((goal, spec))
            self.items += [
                Intervention(
                    careplan=plan,
                    goal=goal,
                    description=item.description,
                    responsible=item.responsible,
                    frequency=item.frequency,
                    status=status_of(item),
                )
                for item in spec.interventions
            ]
        return problem

    def save(self) -> list[Problem | Goal | Intervention]:
        """Insert every row (bulk); the rows in the order they were written."""
        Problem.objects.bulk_create(self.problems)
        Goal.objects.bulk_create([goal for goal, _ in self.goals])
        Intervention.objects.bulk_create(self.items)
        return [*self.problems, *(goal for goal, _ in self.goals), *self.items]

"""Every field of the experiment outputs, documented in one place (paste :data:`FIELDS` into README).

:data:`METRICS` lists the numeric summary fields of one replication; a test checks it against what
:func:`ketensim.metrics.summarize` actually produces, so this table cannot drift from the code.
"""

from __future__ import annotations

__all__ = ["METRICS", "FIELDS", "COUNTING_NOTE", "counting_note"]

COUNTING_NOTE = ("counting mode (--xml off): no XML was built or XSD-checked; rejected_by_xsd and "
                 "outcome_retour_refused count technical refusals of corrupt messages")
"""Written as ``counting_mode`` into every result file of a run without XML, so no file claims an XSD check."""


def counting_note(xml: bool) -> dict[str, str]:
    """``{"counting_mode": COUNTING_NOTE}`` for a run without XML, else nothing (the files stay as they were)."""
    return {} if xml else {"counting_mode": COUNTING_NOTE}

METRICS: dict[str, str] = {
    "messages": "messages offered to (or held back from) the chain",
    "heen_messages": "heenberichten",
    "retour_messages": "retourberichten",
    "pairs": "message pairs (one per heen)",
    "broken_pairs": "gebroken berichtparen: old-release heen whose retour could not be delivered in the old release "
                    "(including heen unread when the read-in window closed)",
    "broken_unread_heen": "broken pairs whose heen was still unread when the read-in window closed (cause heen_unread)",
    "rejected_at_block": "heen refused by a hub at a block or for the wrong release (IB103)",
    "rejected_by_xsd": "heen refused by the hub's XSD check (foutmelding)",
    "rejected_by_rules": "heen refused by the hub's business-rule check (TR/CD/CS; 0 in counting mode unless injected)",
    "resent_after_go_live": "refused heen sent again in the new release after go-live",
    "unread_at_transition": "pairs whose heen or retour was still unread on a hub when the read-in window closed "
                            "(an unread heen is also a broken pair)",
    "spoed_cases": "spoed cases handled outside the traffic during the stop",
    "forbidden_cross_release_answers": "functional answers forced outside the berichtenverkeer: the scenario's "
                                       "[answers] rule forbids them across releases (not in broken_pairs)",
    "allowed_cross_release_answers": "functional answers across releases the standard allows",
    "mean_pair_latency_hours": "mean hours from heen submitted to retour accepted, over closed pairs",
    "xml_bytes": "serialized XML bytes (0 in counting mode, --xml off)",
    "outcome_closed_in_time": "pairs closed within the procedural deadlines",
    "outcome_closed_after_deadline": "pairs closed after a procedural deadline but before the block",
    "outcome_broken": "old-release pairs whose retour could not be delivered in the old release",
    "outcome_unread_at_transition": "pairs whose retour was unread at the transition (an unread heen is broken)",
    "outcome_rejected_resent": "heen refused and sent again",
    "outcome_rejected_not_resent": "heen refused and not sent again within the window",
    "outcome_held_at_end": "heen still held by its sender when the window ended",
    "outcome_open_at_end": "new-release pairs still waiting for their retour at the end (horizon, not a fault)",
    "outcome_retour_refused": "new-release pairs whose retour the hub refused (XSD foutmelding)",
    "answers_same_release": "functional answers in the release of their request",
    "answers_cross_release_allowed": "functional answers across releases, allowed",
    "answers_cross_release_forbidden": "functional answers across releases, forbidden",
    "answers_pending_at_end": "requests still waiting for their functional answer at the end",
    "answers_outside_traffic": "refusals given outside the berichtenverkeer (2.x has no 319)",
    "backlog_normal": "mean backlog (created but not yet read in) before the afsluiting",
    "backlog_peak_after_go_live": "peak backlog in the 72 hours after go-live",
    "backlog_drain_hours": "hours after go-live until the backlog is back to 1.25 x normal + 1 "
                           "(if never: the hours to the window's end, a lower bound)",
    "backlog_drained": "1 if the backlog was back to normal within the window, else 0",
}
"""Numeric summary fields of one replication (columns of ``replications.csv``)."""

FIELDS = """
Experiment outputs
==================

`ketensim run SCENARIO -n N --out DIR` writes into DIR:

replications.csv: one row per replication
-----------------------------------------
| column | meaning |
|---|---|
| index | replication index 0..N-1 (rows are in this order whatever --workers was) |
| seed | the replication's integer seed: SeedSequence(root).spawn(N)[index].generate_state(1, uint64)[0] |
| *parameter* | only for a scenario with uncertain parameters: the value each drew in this replication, one column per dotted name (e.g. behaviour.gemeente.deadline_compliance) |
| *metric* | every numeric summary field of the run, one column each (see the metric table below) |

summary.json
------------
| key | meaning |
|---|---|
| kind | "replications" |
| ketensim_version, scenario, scenario_name, scenario_file, scenario_sha256 | what ran (sha256 of the scenario file; null if not from a file) |
| variant | label of a variant (compare: "A" or "B"; sweep: "baseline" or "NAME=VALUE", e.g. "retour_block=+6h"; else "") |
| n, root_seed, seed_method, seeds | number of replications, the root seed, how seeds were derived, every seed in order |
| xml | true if messages were built and XSD-checked (--xml on) |
| counting_mode | only with --xml off: says that no XSD check ran and that rejected_by_xsd and outcome_retour_refused count technical refusals of corrupt messages (also in result.json, compare.json, sweep.json) |
| targets | precision targets: relative (0.10), absolute (1.0 unit), proportion (0.05) |
| metrics.*metric* | n, mean, ci_low, ci_high (95% Student-t; ci_low clamped at 0, as every metric is a count or a duration), sd, min, max, half_width (of the t interval, before the clamp), target_half_width, precise_enough, n_needed |
| proportions.*metric*_gt_0 | P(metric > 0) over replications: n, k, p, ci_low, ci_high (95% Wilson), half_width, target_half_width, precise_enough, n_needed |
| breakdowns.broken_by_pair / broken_by_actor_type / broken_by_cause / forbidden_answers_by_pair / messages_by_code .*key* | mean count per key over replications, same fields as metrics |
| injections[] | per injection: index, kind, start, end, actor, hub, share, messages, note; took_effect (proportion of replications, Wilson); actors_touched_mean/_max, messages_touched_mean/_max (and other numeric report fields, e.g. spoed_cases_mean) |
| resolved_scenario | the scenario that ran, every default filled in; uncertain[] (only if any): path, dist, low, high, mode, median, p90, whole of each range, whose nominal value stands in place |

precise_enough is true when half_width <= target_half_width, where the target is max(10% of |mean|, 1 unit)
for a mean and 5 percentage points for a proportion; otherwise n_needed = ceil(n * (half_width / target)^2)
replications would reach it.

summary.csv: one row per statistic
----------------------------------
| column | meaning |
|---|---|
| metric | summary field, or *metric*_gt_0 for a proportion |
| kind | mean or proportion |
| estimate | the mean, or the proportion |
| ci_low, ci_high | 95% interval (t for means, Wilson for proportions) |
| min, max | over replications (empty for proportions) |
| n, half_width, target_half_width, precise_enough, n_needed | as in summary.json |

breakdowns.csv: index, seed, breakdown (broken_by_pair, broken_by_actor_type, broken_by_cause, forbidden_answers_by_pair, messages_by_code), key, count.
Keys of broken_by_pair are pairs ("301/302"); of forbidden_answers_by_pair, request and answer ("315->319").

injections.csv: index, seed, injection (its index in the scenario), kind, took_effect, actors_touched, messages_touched.

series.csv: one row per hour of the scenario window (UTC)
--------------------------------------------------------
| column | meaning |
|---|---|
| hour_utc | start of the hour |
| messages_mean / _p05 / _p95 | messages offered to a hub in that hour: mean and 5th/95th percentile over replications |
| backlog_mean / _p05 / _p95 | peak backlog (created, not yet read in) within the hour |
| broken_mean / _p05 / _p95 | pairs that broke in that hour (when the retour was refused, or the heen was sent if no retour) |
| broken_cumulative_mean | running total of broken_mean |

`ketensim compare A B -n N --out DIR` writes A/ and B/ (each as above, same seeds) and:

compare.csv / compare.json (metrics.*metric*): one row per metric
-----------------------------------------------------------------
| column | meaning |
|---|---|
| metric, direction | the metric; higher_is_worse, higher_is_better or neutral |
| n | replications (pairs of runs on the same seed) |
| mean_a, mean_b | means of A and B |
| diff_mean, diff_ci_low, diff_ci_high | paired difference B - A: mean and 95% paired-t interval |
| diff_sd, diff_min, diff_max | spread of the per-seed differences |
| p_b_higher, p_b_lower | share of seeds with B > A, B < A |
| p_b_worse, p_b_worse_ci_low, p_b_worse_ci_high | share of seeds on which B is strictly worse, Wilson 95% (empty for neutral metrics) |

compare.json also holds kind="compare", ketensim_version, n, root_seed, seed_method, seeds, xml, and a/b
(scenario, scenario_name, scenario_file, dir), and robust: the robustness of broken_pairs over the joint
draws of seeds and uncertain parameters (over: "seeds and uncertain parameters" or "seeds only ..."; parameters;
p_b_better / p_b_worse with Wilson 95% ci_low/ci_high over replications; verdict b_better (B better in at least
95% of draws), a_better (B worse in at least 95%), none, or too_few (fewer than 2 replications); confirmed (the interval's lower bound is also at
least 95%); splits[]: per uncertain parameter the one threshold that best splits B - A (parameter, threshold,
flips, gain = share of variance explained, below_/above_ n, diff_mean, p_b_better), flipping ones first).

compare_robust.csv: per uncertain parameter and quartile of its draws (halves below 8 replications): parameter,
bin, bins, low, high (the draws in the bin), n, diff_mean (B - A), p_b_better, p_b_worse.

`ketensim sweep SCENARIO --vary NAME=VALUES -n N --out DIR` writes baseline/ (as above) and:

sweep.csv / sweep.json (points[]): one row per varied value
-----------------------------------------------------------
| column | meaning |
|---|---|
| parameter, kind | what was varied (instant: a draaiboek instant shifted; parameter: a dotted path) |
| value, label | offset in hours (instants) or the parameter value; label as shown ("+6h", "4") |
| status, reason | ok, or skipped with the rule it breaks |
| metric | the focus metric (--metric, default broken_pairs) |
| n, mean, ci_low, ci_high, min, max | the focus metric at this point (95% t interval) |
| p_gt_0, p_gt_0_ci_low, p_gt_0_ci_high | P(metric > 0), Wilson 95% |
| diff_mean, diff_ci_low, diff_ci_high | paired difference from the baseline (same seeds) |
| p_worse_than_baseline | share of seeds on which this point is worse than the baseline |

sweep.json also holds kind="sweep", the run identification as in summary.json, baseline (the focus
metric's summary), varies[] (name, kind, values, labels, baseline, unit) and tornado[] (parameter, kind,
baseline_value, baseline_mean, low_value, low_label, low_mean, high_value, high_label, high_mean, swing),
sorted by swing. sweep_replications.csv has one row per replication of the baseline and of every point
(parameter, value, label, index, seed, every uncertain parameter's draw (empty for the one a point fixes), every
metric). sweep_line.png and sweep_tornado.png are the charts.

With fewer than 2 replications no interval exists: ci_low, ci_high and half_width (and the diff_ and
p_gt_0_ bounds) are empty (null), in every file.

stopping.json (`-n auto` only): n (the replications it stopped at), batch, max_replications, reason
("precise": every interval met its target; "cap": max_replications was reached), targets (the
--precision values, or the default targets of the precision notes), wide[] (the intervals still wider
than their target at the cap: "name: ±half-width > ±target"). Every other file is exactly what `-n n`
with that n writes.

`ketensim optimize SCENARIO --move M --target T --out DIR` writes:

optimize.csv / optimize.json (candidates[]): one row per candidate instant, safest first
| column | meaning |
|---|---|
| step | steps of the grid from the scenario's own instant (negative: earlier) |
| instant, label | the candidate (local time, ISO 8601 with offset; and as printed) |
| gap_hours | --move gap only: hours from the candidate heen block to the retour block |
| status | meets, fails, undecided (still at the cap: counts as not safe), skipped (breaks a draaiboek rule) or not tested (bisection did not need it) |
| reason | why a candidate was skipped (the draaiboek rule) |
| answer | true for the answer |
| n | replications run at the candidate (replication i on the same seed at every candidate) |
| estimate, k | P(event) with its count k of n (probability target), or the mean (expected-value target) |
| ci_low, ci_high | the interval of the last look (Clopper-Pearson or Student-t) at look_confidence |
| look_confidence | confidence of each look: 1 - (1 - confidence) / ceil(max_replications / batch) |

optimize.json also holds kind="optimize", ketensim_version, scenario, scenario_name, scenario_file,
scenario_sha256, move, moves_instant (the instant the move shifts), scenario_instant, riskier,
monotonicity (the assumption in words), target (text, kind, metric, op, bound, event_op, event_value),
confidence, step, steps, batch, max_replications, root_seed, seed_method, xml, status (found,
whole_range_safe or none_safe), answer (its candidate row or null), neighbours[] (the tested candidates
next to the answer), replications_total and shown (dir, label, instant of the replications written in
full). answer/ (or safest/ when nothing was safe) holds those replications as `run -n` writes them;
optimize_replications.csv has one row per replication of every tested candidate (instant, index, seed,
every uncertain parameter's draw, every metric).

`ketensim sensitivity SCENARIO -N N --out DIR` writes runs/ (every parameter set as one row of
replications.csv, with the values it used; all on one seed) and:

sobol.csv / sobol.json (indices[]): one row per uncertain parameter, the largest total index first
-------------------------------------------------------------------------------------------------
| column | meaning |
|---|---|
| parameter, range | the dotted name and its range (e.g. "uniform 0.8..0.99") |
| S1, S1_conf, S1_ci_low, S1_ci_high | first-order index (share of the metric's variance the parameter explains alone), the half-width of its 95% bootstrap interval, and the interval |
| ST, ST_conf, ST_ci_low, ST_ci_high | total index (alone and in interactions with the others), likewise |

sobol.json also holds kind="sensitivity", ketensim_version, scenario, scenario_name, scenario_file, metric,
base_n, parameters, runs (= base_n x (parameters + 2)), root_seed, seed (the one replication seed every set
ran on), seed_method, sample_method, interval, xml, mean and variance of the metric over the runs (the indices
are null when the variance is 0), and dir ("runs").
""" + "\n".join(["", "Metrics (numeric summary fields)", "--------------------------------", "| metric | meaning |",
                 "|---|---|"] + [f"| {k} | {v} |" for k, v in METRICS.items()]) + "\n"
"""Markdown documentation of every output file and field."""

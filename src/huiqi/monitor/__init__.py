"""运行监测, 亩产效益 and 督查督办: watching enterprises, grading land use, tracking targets and tasks.

Each module is pure column-wise logic over Polars frames plus the few database reads and writes
it needs (in :mod:`huiqi.monitor.store`), so the CLI and an API call the same functions:

* :mod:`~huiqi.monitor.settings`  versioned parameters per region (thresholds, schemes)
* :mod:`~huiqi.monitor.periods`   month arithmetic on ``YYYY-MM`` periods
* :mod:`~huiqi.monitor.alerts`    波动企业: 下滑, 异常增长, 持续下滑, 未报送
* :mod:`~huiqi.monitor.watch`     百户重点企业 (watch list) and 升规纳统 candidates
* :mod:`~huiqi.monitor.mu`        亩产效益 scores and grades, grades as recognition-like facts
* :mod:`~huiqi.monitor.targets`   targets bound to registry measures, current figure, progress
* :mod:`~huiqi.monitor.tasks`     the task ledger of 责任单位 with statuses and overdue flags
* :mod:`~huiqi.monitor.export`    Excel workbooks whose text cells never become formulas
"""

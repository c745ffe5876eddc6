# Loan plan supervisor (Contracts API 4).
# Groups a customer's personal loans into a plan. While any loan of the plan is in arrears, the
# plan accepts repayments only (no further drawdowns on any loan), and a daily check notifies
# collections when the plan's total arrears pass a threshold.

from contracts_api import (
    DEFAULT_ASSET,
    BalancesObservationFetcher,
    DefinedDateTime,
    Phase,
    PrePostingHookResult,
    Rejection,
    RejectionReason,
    ScheduledEvent,
    ScheduleExpression,
    SmartContractDescriptor,
    SupervisedHooks,
    SupervisionExecutionMode,
    SupervisorActivationHookArguments,
    SupervisorActivationHookResult,
    SupervisorContractEventType,
    SupervisorNotificationDirective,
    SupervisorPrePostingHookArguments,
    SupervisorScheduledEventHookArguments,
    SupervisorScheduledEventHookResult,
    fetch_account_data,
)
from dateutil.relativedelta import relativedelta
from decimal import Decimal
from typing import Optional

api = "4.0.0"
version = "1.0.1"
display_name = "Loan plan supervisor"
summary = "Stops drawdowns across a customer's loans while any loan is in arrears"

LOAN_ALIAS = "loan"

supervised_smart_contracts = [
    SmartContractDescriptor(
        alias=LOAN_ALIAS,
        smart_contract_version_id="&{loan}",
        supervise_post_posting_hook=False,
        supervised_hooks=SupervisedHooks(pre_posting_hook=SupervisionExecutionMode.INVOKED),
    ),
]

# Events
CHECK_PLAN_ARREARS = "CHECK_PLAN_ARREARS"
event_types = [
    SupervisorContractEventType(
        name=CHECK_PLAN_ARREARS,
        scheduler_tag_ids=["LOAN_PLAN_CHECK_ARREARS_AST"],
    ),
]

# Notifications
PLAN_ARREARS_NOTIFICATION = "LOAN_PLAN_ARREARS"
notification_types = [PLAN_ARREARS_NOTIFICATION]
ARREARS_NOTIFICATION_THRESHOLD = Decimal("500")

# Supervisee addresses holding amounts in arrears (see the loan contract)
ARREARS_ADDRESSES = ["PRINCIPAL_OVERDUE", "INTEREST_OVERDUE", "PENALTIES"]
DEFAULT_ADDRESS_NAME = "DEFAULT"
DENOMINATION = "GBP"

LIVE_BALANCES_BOF_ID = "live_balances_bof"
data_fetchers = [
    BalancesObservationFetcher(fetcher_id=LIVE_BALANCES_BOF_ID, at=DefinedDateTime.LIVE)
]


def _arrears(supervisee_vault) -> Decimal:
    balances = supervisee_vault.get_balances_observation(fetcher_id=LIVE_BALANCES_BOF_ID).balances
    return sum(
        (
            balances[(address, DEFAULT_ASSET, DENOMINATION, Phase.COMMITTED)].net
            for address in ARREARS_ADDRESSES
        ),
        Decimal("0"),
    )


def _plan_arrears(vault) -> dict:
    """Arrears per supervisee account id, for loans with arrears only."""
    arrears = {}
    for account_id, supervisee_vault in vault.supervisees.items():
        amount = _arrears(supervisee_vault)
        if amount > 0:
            arrears[account_id] = amount
    return arrears


def _is_drawdown(posting_instructions) -> bool:
    for instruction in posting_instructions:
        for coordinate, balance in instruction.balances().items():
            if coordinate.account_address == DEFAULT_ADDRESS_NAME and balance.net > 0:
                return True
    return False


def activation_hook(
    vault, hook_arguments: SupervisorActivationHookArguments
) -> Optional[SupervisorActivationHookResult]:
    start = hook_arguments.effective_datetime + relativedelta(days=1, hour=6, minute=0, second=0)
    return SupervisorActivationHookResult(
        scheduled_events_return_value={
            CHECK_PLAN_ARREARS: ScheduledEvent(
                start_datetime=start,
                expression=ScheduleExpression(hour=6, minute=0, second=0),
            )
        }
    )


@fetch_account_data(balances={LOAN_ALIAS: [LIVE_BALANCES_BOF_ID]})
def pre_posting_hook(
    vault, hook_arguments: SupervisorPrePostingHookArguments
) -> Optional[PrePostingHookResult]:
    plan_arrears = _plan_arrears(vault)
    for account_id, posting_instructions in hook_arguments.supervisee_posting_instructions.items():
        if plan_arrears and _is_drawdown(posting_instructions):
            return PrePostingHookResult(
                rejection=Rejection(
                    message=f"Loan plan is in arrears on {sorted(plan_arrears)}: "
                    f"drawdown on {account_id} rejected",
                    reason_code=RejectionReason.AGAINST_TNC,
                )
            )
        # otherwise the supervisee's own pre-posting decision stands
        supervisee_result = vault.supervisees[account_id].get_hook_result()
        if supervisee_result and supervisee_result.rejection:
            return supervisee_result
    return None


@fetch_account_data(event_type=CHECK_PLAN_ARREARS, balances={LOAN_ALIAS: [LIVE_BALANCES_BOF_ID]})
def scheduled_event_hook(
    vault, hook_arguments: SupervisorScheduledEventHookArguments
) -> Optional[SupervisorScheduledEventHookResult]:
    if hook_arguments.event_type != CHECK_PLAN_ARREARS:
        return None
    plan_arrears = _plan_arrears(vault)
    total = sum(plan_arrears.values(), Decimal("0"))
    if total < ARREARS_NOTIFICATION_THRESHOLD:
        return None
    return SupervisorScheduledEventHookResult(
        supervisor_notification_directives=[
            SupervisorNotificationDirective(
                notification_type=PLAN_ARREARS_NOTIFICATION,
                notification_details={
                    "plan_id": vault.plan_id,
                    "total_arrears": str(total),
                    "accounts_in_arrears": ",".join(sorted(plan_arrears)),
                    "checked_at": hook_arguments.effective_datetime.isoformat(),
                },
            )
        ]
    )

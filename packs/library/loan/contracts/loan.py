# Personal loan (Contracts API 4): fixed-rate amortising loan, disbursed on activation, daily
# accrual, monthly instalments, overdue after a grace period in business days. Interest maths comes
# from the "interest" contract module; a customer's loans are grouped under the loan plan supervisor.

from contracts_api import (
    DEFAULT_ADDRESS, DEFAULT_ASSET, AccountIdShape, ActivationHookArguments, ActivationHookResult,
    BalanceDefaultDict, BalancesObservationFetcher, ContractModule, CustomInstruction,
    DefinedDateTime, DenominationShape, NumberShape, Parameter, ParameterLevel, Phase, Posting,
    PostingInstructionsDirective, PostPostingHookArguments, PostPostingHookResult,
    PrePostingHookArguments, PrePostingHookResult, Rejection, RejectionReason, ScheduledEvent,
    ScheduledEventHookArguments, ScheduledEventHookResult, ScheduleExpression, SharedFunction,
    SmartContractEventType, StringShape, Tside, fetch_account_data, requires,
)
from dateutil.relativedelta import relativedelta
from decimal import Decimal
from json import loads
from typing import Optional

api = "4.0.0"
version = "1.3.0"
display_name = "Personal Loan"
summary = "Fixed-rate amortising personal loan with monthly repayments"
explanation = "Disbursed on opening; repaid by equal monthly instalments of principal and interest."
tside = Tside.ASSET
supported_denominations = ["GBP"]

contract_module_imports = [
    ContractModule(
        alias="interest",
        expected_interface=[
            SharedFunction(name="calculate_daily_interest"),
            SharedFunction(name="calculate_emi"),
            SharedFunction(name="split_instalment"),
            SharedFunction(name="elapsed_terms"),
        ],
    )
]

# Addresses
PRINCIPAL = "PRINCIPAL"
ACCRUED_INTEREST_RECEIVABLE = "ACCRUED_INTEREST_RECEIVABLE"
INTERNAL_CONTRA = "INTERNAL_CONTRA"
PRINCIPAL_DUE, INTEREST_DUE = "PRINCIPAL_DUE", "INTEREST_DUE"
PRINCIPAL_OVERDUE, INTEREST_OVERDUE = "PRINCIPAL_OVERDUE", "INTEREST_OVERDUE"
PENALTIES = "PENALTIES"
# Repayments settle these addresses in this order
REPAYMENT_HIERARCHY = [PENALTIES, INTEREST_OVERDUE, PRINCIPAL_OVERDUE, INTEREST_DUE, PRINCIPAL_DUE, PRINCIPAL]

# Events
ACCRUE_INTEREST = "ACCRUE_INTEREST"
DUE_AMOUNT_CALCULATION = "DUE_AMOUNT_CALCULATION"
CHECK_OVERDUE = "CHECK_OVERDUE"

LIVE_BALANCES_BOF_ID = "live_balances_bof"
data_fetchers = [BalancesObservationFetcher(fetcher_id=LIVE_BALANCES_BOF_ID, at=DefinedDateTime.LIVE)]

PARAM_DENOMINATION = "denomination"
PARAM_PRINCIPAL = "principal"
PARAM_FIXED_INTEREST_RATE = "fixed_interest_rate"
PARAM_TOTAL_REPAYMENT_COUNT = "total_repayment_count"
PARAM_REPAYMENT_DAY = "repayment_day"
PARAM_DEPOSIT_ACCOUNT = "deposit_account"
PARAM_DAYS_IN_YEAR = "days_in_year"
PARAM_GRACE_PERIOD = "grace_period"
PARAM_LATE_REPAYMENT_FEE = "late_repayment_fee"
PARAM_REPAYMENT_HOLIDAY_FLAGS = "repayment_holiday_flags"
PARAM_ACCRUED_INTEREST_RECEIVABLE_ACCOUNT = "accrued_interest_receivable_account"
PARAM_INTEREST_RECEIVED_ACCOUNT = "interest_received_account"
PARAM_LATE_REPAYMENT_FEE_INCOME_ACCOUNT = "late_repayment_fee_income_account"

MONEY = NumberShape(min_value=Decimal("0"), step=Decimal("0.01"))
INTEGER = NumberShape(min_value=Decimal("1"), step=Decimal("1"))
TEMPLATE, INSTANCE = ParameterLevel.TEMPLATE, ParameterLevel.INSTANCE

parameters = [
    Parameter(name=PARAM_DENOMINATION, level=TEMPLATE, shape=DenominationShape(), default_value="GBP",
              display_name="Denomination", description="Denomination of the loan."),
    Parameter(name=PARAM_PRINCIPAL, level=INSTANCE, shape=MONEY, default_value=Decimal("1000"),
              display_name="Principal", description="Amount borrowed."),
    Parameter(name=PARAM_FIXED_INTEREST_RATE, level=INSTANCE,
              shape=NumberShape(min_value=Decimal("0"), max_value=Decimal("1"), step=Decimal("0.0001")),
              default_value=Decimal("0.069"), display_name="Fixed interest rate",
              description="Yearly interest rate, fixed for the life of the loan."),
    Parameter(name=PARAM_TOTAL_REPAYMENT_COUNT, level=INSTANCE, shape=INTEGER, default_value=Decimal("36"),
              display_name="Term (months)", description="Number of monthly repayments."),
    Parameter(name=PARAM_REPAYMENT_DAY, level=INSTANCE,
              shape=NumberShape(min_value=Decimal("1"), max_value=Decimal("28"), step=Decimal("1")),
              default_value=Decimal("1"), display_name="Repayment day",
              description="Day of the month instalments fall due."),
    Parameter(name=PARAM_DEPOSIT_ACCOUNT, level=INSTANCE, shape=AccountIdShape(), default_value="0",
              display_name="Deposit account", description="Account that receives the principal."),
    Parameter(name=PARAM_DAYS_IN_YEAR, level=TEMPLATE, shape=StringShape(), default_value="365",
              display_name="Days in year", description="Day count basis: actual, 365 or 360."),
    Parameter(name=PARAM_GRACE_PERIOD, level=TEMPLATE, shape=INTEGER, default_value=Decimal("5"),
              display_name="Grace period (business days)",
              description="Business days after the due date before an unpaid amount is overdue."),
    Parameter(name=PARAM_LATE_REPAYMENT_FEE, level=TEMPLATE, shape=MONEY, default_value=Decimal("0"),
              display_name="Late repayment fee", description="Fee charged when an instalment is overdue."),
    Parameter(name=PARAM_REPAYMENT_HOLIDAY_FLAGS, level=TEMPLATE, shape=StringShape(), default_value="[]",
              display_name="Repayment holiday flags",
              description="JSON list of flag ids that suspend due and overdue processing."),
    Parameter(name=PARAM_ACCRUED_INTEREST_RECEIVABLE_ACCOUNT, level=TEMPLATE, shape=AccountIdShape(),
              display_name="Accrued interest receivable account", description="Internal account."),
    Parameter(name=PARAM_INTEREST_RECEIVED_ACCOUNT, level=TEMPLATE, shape=AccountIdShape(),
              display_name="Interest received account", description="Internal account."),
    Parameter(name=PARAM_LATE_REPAYMENT_FEE_INCOME_ACCOUNT, level=TEMPLATE, shape=AccountIdShape(),
              display_name="Late repayment fee income account", description="Internal account."),
]

event_types = [
    SmartContractEventType(name=ACCRUE_INTEREST, scheduler_tag_ids=["LOAN_ACCRUE_INTEREST_AST"]),
    SmartContractEventType(name=DUE_AMOUNT_CALCULATION, scheduler_tag_ids=["LOAN_DUE_AMOUNT_CALCULATION_AST"]),
    SmartContractEventType(name=CHECK_OVERDUE, scheduler_tag_ids=["LOAN_CHECK_OVERDUE_AST"]),
]


def _param(vault, name: str, is_json: bool = False):
    value = vault.get_parameter_timeseries(name=name).latest()
    return loads(value) if is_json else value


def _balance(balances: BalanceDefaultDict, denomination: str, address: str = DEFAULT_ADDRESS) -> Decimal:
    return balances[(address, DEFAULT_ASSET, denomination, Phase.COMMITTED)].net


def _move(amount: Decimal, denomination: str, debit: tuple, credit: tuple) -> list:
    """A debit/credit pair; debit and credit are (account_id, address)."""
    if amount <= 0:
        return []
    return [
        Posting(credit=is_credit, amount=amount, denomination=denomination, account_id=account,
                account_address=address, asset=DEFAULT_ASSET, phase=Phase.COMMITTED)
        for is_credit, (account, address) in ((False, debit), (True, credit))
    ]


def _on_repayment_holiday(vault, effective_datetime) -> bool:
    return any(
        vault.get_flag_timeseries(flag=flag_id).at(at_datetime=effective_datetime)
        for flag_id in _param(vault, PARAM_REPAYMENT_HOLIDAY_FLAGS, is_json=True)
    )


def _business_days_between(vault, start, end) -> int:
    """Business days in (start, end], skipping weekends and PUBLIC_HOLIDAYS events."""
    holidays = vault.get_calendar_events(calendar_ids=["&{PUBLIC_HOLIDAYS}"])
    count, moment = 0, start + relativedelta(days=1)
    while moment <= end:
        if moment.weekday() < 5 and not any(e.start_datetime <= moment < e.end_datetime for e in holidays):
            count += 1
        moment += relativedelta(days=1)
    return count


@requires(parameters=True)
def activation_hook(vault, hook_arguments: ActivationHookArguments) -> Optional[ActivationHookResult]:
    effective_datetime = hook_arguments.effective_datetime
    denomination = _param(vault, PARAM_DENOMINATION)
    own = vault.account_id
    disbursement = CustomInstruction(
        postings=_move(_param(vault, PARAM_PRINCIPAL), denomination, (own, PRINCIPAL),
                       (_param(vault, PARAM_DEPOSIT_ACCOUNT), DEFAULT_ADDRESS)),
        instruction_details={"description": "Loan disbursement", "event": "LOAN_DISBURSEMENT"},
    )
    day = int(_param(vault, PARAM_REPAYMENT_DAY))
    first_due = effective_datetime + relativedelta(months=1, day=day, hour=0, minute=1, second=0)
    return ActivationHookResult(
        posting_instructions_directives=[PostingInstructionsDirective(
            posting_instructions=[disbursement], value_datetime=effective_datetime)],
        scheduled_events_return_value={
            ACCRUE_INTEREST: ScheduledEvent(
                start_datetime=effective_datetime + relativedelta(days=1, hour=0, minute=0, second=0),
                expression=ScheduleExpression(hour=0, minute=0, second=0)),
            DUE_AMOUNT_CALCULATION: ScheduledEvent(
                start_datetime=first_due, expression=ScheduleExpression(day=day, hour=0, minute=1, second=0)),
            CHECK_OVERDUE: ScheduledEvent(
                start_datetime=first_due, expression=ScheduleExpression(hour=0, minute=2, second=0)),
        },
    )


@requires(parameters=True)
@fetch_account_data(balances=[LIVE_BALANCES_BOF_ID])
def pre_posting_hook(vault, hook_arguments: PrePostingHookArguments) -> Optional[PrePostingHookResult]:
    denomination = _param(vault, PARAM_DENOMINATION)
    repayment = Decimal("0")
    for instruction in hook_arguments.posting_instructions:
        for coordinate, balance in instruction.balances().items():
            if coordinate.denomination != denomination:
                return PrePostingHookResult(rejection=Rejection(
                    message=f"Cannot make transactions in {coordinate.denomination}",
                    reason_code=RejectionReason.WRONG_DENOMINATION))
            if coordinate.account_address == DEFAULT_ADDRESS:
                repayment -= balance.net
    if repayment < 0:
        return PrePostingHookResult(rejection=Rejection(
            message="Debits are not allowed on a loan", reason_code=RejectionReason.AGAINST_TNC))
    balances = vault.get_balances_observation(fetcher_id=LIVE_BALANCES_BOF_ID).balances
    outstanding = sum((_balance(balances, denomination, a) for a in REPAYMENT_HIERARCHY), Decimal("0"))
    if repayment > outstanding + _balance(balances, denomination, ACCRUED_INTEREST_RECEIVABLE):
        return PrePostingHookResult(rejection=Rejection(
            message="Repayment exceeds the outstanding balance", reason_code=RejectionReason.AGAINST_TNC))
    return None


@requires(parameters=True)
@fetch_account_data(balances=[LIVE_BALANCES_BOF_ID])
def post_posting_hook(vault, hook_arguments: PostPostingHookArguments) -> Optional[PostPostingHookResult]:
    denomination = _param(vault, PARAM_DENOMINATION)
    balances = vault.get_balances_observation(fetcher_id=LIVE_BALANCES_BOF_ID).balances
    own = vault.account_id
    unallocated = -_balance(balances, denomination)  # repayments credit DEFAULT
    postings = []
    for address in REPAYMENT_HIERARCHY:
        amount = min(unallocated, _balance(balances, denomination, address))
        postings += _move(amount, denomination, (own, DEFAULT_ADDRESS), (own, address))
        unallocated -= max(amount, Decimal("0"))
    if not postings:
        return None
    return PostPostingHookResult(posting_instructions_directives=[PostingInstructionsDirective(
        posting_instructions=[CustomInstruction(postings=postings,
                                                instruction_details={"event": "REPAYMENT_ALLOCATION"})],
        value_datetime=hook_arguments.effective_datetime)])


@requires(event_type=ACCRUE_INTEREST, parameters=True)
@requires(event_type=DUE_AMOUNT_CALCULATION, parameters=True, flags=True)
@requires(event_type=CHECK_OVERDUE, parameters=True, flags=True, calendar=["&{PUBLIC_HOLIDAYS}"],
          last_execution_datetime=[DUE_AMOUNT_CALCULATION])
@fetch_account_data(event_type=ACCRUE_INTEREST, balances=[LIVE_BALANCES_BOF_ID])
@fetch_account_data(event_type=DUE_AMOUNT_CALCULATION, balances=[LIVE_BALANCES_BOF_ID])
@fetch_account_data(event_type=CHECK_OVERDUE, balances=[LIVE_BALANCES_BOF_ID])
def scheduled_event_hook(vault, hook_arguments: ScheduledEventHookArguments) -> Optional[ScheduledEventHookResult]:
    effective_datetime = hook_arguments.effective_datetime
    event_type = hook_arguments.event_type
    denomination = _param(vault, PARAM_DENOMINATION)
    balances = vault.get_balances_observation(fetcher_id=LIVE_BALANCES_BOF_ID).balances
    own = vault.account_id
    interest = vault.modules["interest"]
    principal = _balance(balances, denomination, PRINCIPAL)
    accrued = _balance(balances, denomination, ACCRUED_INTEREST_RECEIVABLE)
    receivable_account = _param(vault, PARAM_ACCRUED_INTEREST_RECEIVABLE_ACCOUNT)
    postings = []

    if event_type == ACCRUE_INTEREST:
        amount = interest.calculate_daily_interest(
            principal, _param(vault, PARAM_FIXED_INTEREST_RATE), _param(vault, PARAM_DAYS_IN_YEAR),
            effective_datetime)
        postings = _move(amount, denomination, (own, ACCRUED_INTEREST_RECEIVABLE), (own, INTERNAL_CONTRA))
        postings += _move(amount, denomination, (receivable_account, DEFAULT_ADDRESS),
                          (_param(vault, PARAM_INTEREST_RECEIVED_ACCOUNT), DEFAULT_ADDRESS))
    elif _on_repayment_holiday(vault, effective_datetime):
        return None
    elif event_type == DUE_AMOUNT_CALCULATION:
        total_terms = int(_param(vault, PARAM_TOTAL_REPAYMENT_COUNT))
        elapsed = interest.elapsed_terms(vault.get_account_creation_datetime(), effective_datetime)
        emi = interest.calculate_emi(_param(vault, PARAM_PRINCIPAL), _param(vault, PARAM_FIXED_INTEREST_RATE),
                                     total_terms)
        principal_due, interest_due = interest.split_instalment(
            emi, principal, accrued, elapsed >= total_terms)
        postings = _move(principal_due, denomination, (own, PRINCIPAL_DUE), (own, PRINCIPAL))
        postings += _move(interest_due, denomination, (own, INTEREST_DUE), (receivable_account, DEFAULT_ADDRESS))
        postings += _move(accrued, denomination, (own, INTERNAL_CONTRA), (own, ACCRUED_INTEREST_RECEIVABLE))
    elif event_type == CHECK_OVERDUE:
        # due amounts become overdue once the grace period (in business days) has passed
        last_due = vault.get_last_execution_datetime(event_type=DUE_AMOUNT_CALCULATION)
        grace = int(_param(vault, PARAM_GRACE_PERIOD))
        if last_due is None or _business_days_between(vault, last_due, effective_datetime) != grace:
            return None
        principal_due = _balance(balances, denomination, PRINCIPAL_DUE)
        interest_due = _balance(balances, denomination, INTEREST_DUE)
        postings = _move(principal_due, denomination, (own, PRINCIPAL_OVERDUE), (own, PRINCIPAL_DUE))
        postings += _move(interest_due, denomination, (own, INTEREST_OVERDUE), (own, INTEREST_DUE))
        if postings:
            postings += _move(_param(vault, PARAM_LATE_REPAYMENT_FEE), denomination, (own, PENALTIES),
                              (_param(vault, PARAM_LATE_REPAYMENT_FEE_INCOME_ACCOUNT), DEFAULT_ADDRESS))
    if not postings:
        return None
    return ScheduledEventHookResult(posting_instructions_directives=[PostingInstructionsDirective(
        posting_instructions=[CustomInstruction(postings=postings, instruction_details={"event": event_type})],
        value_datetime=effective_datetime)])

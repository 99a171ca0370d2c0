# Loaded by Python at start-up (sitecustomize) in the moto_server that cli/aws-emulator.ts starts,
# and only there: it is on that process's PYTHONPATH alone.
#
# moto 5.2.1 decides whether a new hosted zone is private only from
# HostedZoneConfig.PrivateZone (moto/route53/responses.py, create_hosted_zone). AWS makes a
# zone private when CreateHostedZone carries a VPC element ("If you want to create a private
# hosted zone, specify the VPC", Route 53 API reference, CreateHostedZone), and the Terraform AWS
# provider sends only that element for aws_route53_zone with a vpc block. Without this, moto
# creates the API's private zone as a public one, every plan wants to associate the VPC again,
# and the second apply fails with PublicZoneVPCAssociation.
try:
    from moto.route53.responses import Route53 as _Route53

    _get_bool_param = _Route53._get_bool_param

    def _private_when_a_vpc_is_given(self, name, *args, **kwargs):
        if name == "HostedZoneConfig.PrivateZone" and self._get_param("VPC.VPCId"):
            return True
        return _get_bool_param(self, name, *args, **kwargs)

    _Route53._get_bool_param = _private_when_a_vpc_is_given
except Exception:  # another moto: leave it as it is
    pass

# moto 5.2.1 evaluates bucket policies with no request context, and takes a condition on a key
# the request does not carry as met (moto/iam/access_control.py, IAMPolicyStatement
# ._check_conditions, called from is_action_permitted by Bucket.get_permission in
# moto/s3/models.py with no condition values). So a bucket policy that denies only requests
# without TLS (Deny with Condition Bool aws:SecureTransport=false, as kubeplane's state bucket
# has) denies every request. On AWS a condition on a key the request does not carry is not met
# (except Null and the ...IfExists operators), and a statement whose condition is not met does
# not apply ("Policy evaluation logic", "Condition operators", IAM User Guide). Here a Deny with a
# condition on a key moto did not supply does not apply; everything else is left as moto has it.
# The emulator speaks only HTTP and supplies no aws:SecureTransport, so such a Deny never applies
# in it: kubeplane's tests read the policy back instead.
try:
    from moto.iam.access_control import IAMPolicyStatement as _Statement, PermissionResult as _Permission

    _is_action_permitted = _Statement.is_action_permitted

    def _unknown_keys(condition, values):
        for operator, keys in condition.items():
            if operator == "Null" or operator.endswith("IfExists"):
                continue
            for key in keys:
                if not values or key not in values:
                    return True
        return False

    def _deny_applies_only_on_known_keys(self, action, resource="*", principal=None, incoming_condition_values=None):
        condition = self._statement.get("Condition")
        if self._statement.get("Effect") == "Deny" and condition and _unknown_keys(condition, incoming_condition_values):
            return _Permission.NEUTRAL
        return _is_action_permitted(self, action, resource, principal, incoming_condition_values)

    _Statement.is_action_permitted = _deny_applies_only_on_known_keys
except Exception:  # another moto: leave it as it is
    pass

# moto 5.2.1 has no instance refresh: StartInstanceRefresh, CancelInstanceRefresh and
# DescribeInstanceRefreshes answer 500 (no handler in moto/autoscaling/responses.py). The
# Terraform AWS provider cancels and starts a refresh when a group with an `instance_refresh`
# block changes its launch template (resource aws_autoscaling_group: "When this resource is
# updated, any existing refresh is cancelled"; it does not wait for the refresh), and its SDK
# retries every 500 for minutes, so a deploy that changes a worker pool's template stalled. Here
# a refresh is recorded and reported done at once (moto runs no instance to replace), with the
# shapes and errors of the Auto Scaling API (botocore's autoscaling service model:
# StartInstanceRefreshAnswer, CancelInstanceRefreshAnswer, DescribeInstanceRefreshesAnswer;
# ActiveInstanceRefreshNotFound when there is none to cancel, InstanceRefreshInProgress when one
# is active).
try:
    import datetime as _datetime
    import uuid as _uuid

    from moto.autoscaling.exceptions import AutoscalingClientError as _AutoscalingClientError
    from moto.autoscaling.exceptions import ValidationError as _ValidationError
    from moto.autoscaling.responses import AutoScalingResponse as _AutoScalingResponse
    from moto.core.responses import ActionResult as _ActionResult

    class _ActiveInstanceRefreshNotFound(_AutoscalingClientError):
        code = "ActiveInstanceRefreshNotFound"

    class _InstanceRefreshInProgress(_AutoscalingClientError):
        code = "InstanceRefreshInProgress"

    _refreshes = {}

    def _now():
        return _datetime.datetime.now(_datetime.timezone.utc)

    def _start_instance_refresh(self):
        group = self._get_param("AutoScalingGroupName")
        if not self.autoscaling_backend.describe_auto_scaling_groups([group]):
            raise _ValidationError(f"AutoScalingGroup name not found - {group}")
        history = _refreshes.setdefault((self.current_account, self.region, group), [])
        if any(r["Status"] in ("Pending", "InProgress", "Cancelling") for r in history):
            raise _InstanceRefreshInProgress("An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.")
        refresh_id = str(_uuid.uuid4())
        started = _now()
        history.insert(0, {
            "InstanceRefreshId": refresh_id,
            "AutoScalingGroupName": group,
            "Status": "Successful",
            "StatusReason": "",
            "StartTime": started,
            "EndTime": started,
            "PercentageComplete": 100,
            "InstancesToUpdate": 0,
        })
        return _ActionResult({"InstanceRefreshId": refresh_id})

    def _cancel_instance_refresh(self):
        group = self._get_param("AutoScalingGroupName")
        history = _refreshes.get((self.current_account, self.region, group), [])
        active = [r for r in history if r["Status"] in ("Pending", "InProgress")]
        if not active:
            raise _ActiveInstanceRefreshNotFound("No in progress or pending Instance Refresh found for Auto Scaling group " + group)
        active[0]["Status"] = "Cancelled"
        return _ActionResult({"InstanceRefreshId": active[0]["InstanceRefreshId"]})

    def _describe_instance_refreshes(self):
        group = self._get_param("AutoScalingGroupName")
        ids = self._get_param("InstanceRefreshIds", [])
        history = _refreshes.get((self.current_account, self.region, group), [])
        return _ActionResult({"InstanceRefreshes": [r for r in history if not ids or r["InstanceRefreshId"] in ids]})

    _AutoScalingResponse.start_instance_refresh = _start_instance_refresh
    _AutoScalingResponse.cancel_instance_refresh = _cancel_instance_refresh
    _AutoScalingResponse.describe_instance_refreshes = _describe_instance_refreshes
except Exception:  # another moto: leave it as it is
    pass

# moto 5.2.1 gives every lifecycle hook a made-up role and notification target
# (moto/autoscaling/models.py, LifecycleHook.__init__: "hardcoded in the original XML template").
# AWS reports neither for a hook created without them (PutLifecycleHook: RoleARN and
# NotificationTargetARN are optional, and DescribeLifecycleHooks returns what was put), so every
# plan of a cluster with a termination hook wanted to clear them: an audit was never clean.
try:
    from moto.autoscaling.models import LifecycleHook as _LifecycleHook

    _hook_init = _LifecycleHook.__init__

    def _hook_without_made_up_targets(self, *args, **kwargs):
        _hook_init(self, *args, **kwargs)
        self.role_arn = None
        self.notification_target_arn = None

    _LifecycleHook.__init__ = _hook_without_made_up_targets
except Exception:  # another moto: leave it as it is
    pass

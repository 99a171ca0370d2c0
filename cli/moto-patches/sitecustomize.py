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
        preferences = self._get_param("Preferences") or {}
        # The refresh replaces the group's instances (those not on the group's launch template
        # version with SkipMatching; all without) and is Successful once they are replaced
        # (StartInstanceRefresh: "Preferences.SkipMatching"; DescribeInstanceRefreshes:
        # InstancesToUpdate "remaining to update", PercentageComplete). moto launches the
        # replacements at once (its terminate_instance without decrementing relaunches).
        _replace_for_refresh(self.autoscaling_backend, group, bool(preferences.get("SkipMatching")))
        history.insert(0, {
            "InstanceRefreshId": refresh_id,
            "AutoScalingGroupName": group,
            "Status": "Successful",
            "StatusReason": "",
            "StartTime": started,
            "EndTime": _now(),
            "PercentageComplete": 100,
            "InstancesToUpdate": 0,
            "Preferences": preferences,
        })
        return _ActionResult({"InstanceRefreshId": refresh_id})

    def _replace_for_refresh(backend, group_name, skip_matching):
        group = backend.autoscaling_groups[group_name]
        wanted = _group_version(group)
        for state in list(group.instance_states):
            if skip_matching and wanted is not None and getattr(state, "_launched_version", None) == wanted:
                continue
            backend.terminate_instance(state.instance.id, should_decrement=False)

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

# moto 5.2.1 reports every instance of a group on its launch template's *default* version
# (moto/autoscaling/models.py, InstanceState.launch_template: "Version":
# ec2_launch_template.default_version_number), so an instance launched before the template changed
# looks up to date. AWS reports the template version the instance was launched with
# (DescribeAutoScalingGroups, Instance.LaunchTemplate: "The launch template for the instance"),
# which is how an outdated instance is found (kubeplane roll). Here an instance keeps the version
# of the group's template when it was launched (or attached).
def _group_version(group):
    template = getattr(group, "ec2_launch_template", None)
    if template is None:
        return None
    try:
        return template.get_version(group.launch_template_version).number
    except Exception:
        return None

try:
    from moto.autoscaling.models import InstanceState as _InstanceState

    _state_init = _InstanceState.__init__

    def _state_remembers_its_version(self, *args, **kwargs):
        _state_init(self, *args, **kwargs)
        self._launched_version = _group_version(self.auto_scaling_group) if self.auto_scaling_group is not None else None

    def _launched_template(self):
        group = self.auto_scaling_group
        if group is None or group.ec2_launch_template is None:
            return None
        version = getattr(self, "_launched_version", None)
        return {
            "LaunchTemplateId": group.ec2_launch_template.id,
            "LaunchTemplateName": group.ec2_launch_template.name,
            "Version": group.ec2_launch_template.default_version_number if version is None else version,
        }

    _InstanceState.__init__ = _state_remembers_its_version
    _InstanceState.launch_template = property(_launched_template)
except Exception:  # another moto: leave it as it is
    pass

# moto 5.2.1 has no lifecycle actions: TerminateInstanceInAutoScalingGroup terminates at once
# whatever hooks the group has, CompleteLifecycleAction answers 500 (no handler in
# moto/autoscaling/responses.py), and DescribeScalingActivities lists nothing. On AWS an instance
# of a group with an autoscaling:EC2_INSTANCE_TERMINATING hook goes to Terminating:Wait and stays
# until CompleteLifecycleAction (LifecycleActionResult CONTINUE or ABANDON; for a termination
# both let it terminate) or the hook's timeout ("Amazon EC2 Auto Scaling lifecycle hooks", EC2
# Auto Scaling User Guide; CompleteLifecycleAction, API reference: a ValidationError when no
# lifecycle action is active for the instance). Here a termination of such an instance waits on
# the hook, CompleteLifecycleAction terminates it, and DescribeScalingActivities lists the
# termination's activity ("Terminating EC2 instance: <id>"). Its Details carry the hook and the
# result the action was completed with: the emulator's addition, for the node simulation's
# assertions (AWS's Details hold other facts). The hook's timeout is not run.
try:
    import json as _json

    _waiting = {}
    _activities = {}

    def _termination_hook(backend, group_name):
        for hook in backend.lifecycle_hooks.values():
            if hook.auto_scaling_group_name == group_name and hook.lifecycle_transition == "autoscaling:EC2_INSTANCE_TERMINATING":
                return hook
        return None

    def _instance_state(backend, instance_id):
        for group in backend.autoscaling_groups.values():
            for state in group.instance_states:
                if state.instance.id == instance_id:
                    return state
        return None

    _terminate_in_group = _AutoScalingResponse.terminate_instance_in_auto_scaling_group

    def _terminate_waits_on_the_hook(self):
        backend = self.autoscaling_backend
        instance_id = self._get_param("InstanceId")
        state = _instance_state(backend, instance_id)
        hook = _termination_hook(backend, state.auto_scaling_group_name) if state is not None else None
        if hook is None:
            return _terminate_in_group(self)
        group = state.auto_scaling_group_name
        if state.lifecycle_state.startswith("Terminating"):
            raise _ValidationError(f"The instance {instance_id} is already terminating.")
        state.lifecycle_state = "Terminating:Wait"
        started = _now()
        activity = {
            "ActivityId": str(_uuid.uuid4()),
            "AutoScalingGroupName": group,
            "Description": f"Terminating EC2 instance: {instance_id}",
            "Cause": f"At {started.isoformat()} instance {instance_id} was taken out of service in response to a user request.",
            "StartTime": started,
            "StatusCode": "InProgress",
            "Progress": 0,
            "Details": "{}",
        }
        _waiting[(self.current_account, self.region, group, instance_id)] = {
            "hook": hook.name,
            "token": str(_uuid.uuid4()),
            "decrement": self._get_bool_param("ShouldDecrementDesiredCapacity", False),
            "activity": activity,
        }
        _activities.setdefault((self.current_account, self.region, group), []).insert(0, activity)
        return _ActionResult({"Activity": activity})

    def _complete_lifecycle_action(self):
        backend = self.autoscaling_backend
        group = self._get_param("AutoScalingGroupName")
        hook = self._get_param("LifecycleHookName")
        instance_id = self._get_param("InstanceId")
        token = self._get_param("LifecycleActionToken")
        result = self._get_param("LifecycleActionResult")
        if result not in ("CONTINUE", "ABANDON"):
            raise _ValidationError(f"Invalid LifecycleActionResult {result}: CONTINUE or ABANDON")
        key = next(
            (k for k, a in _waiting.items()
             if k[:3] == (self.current_account, self.region, group) and a["hook"] == hook
             and (k[3] == instance_id or (token and a["token"] == token))),
            None,
        )
        if key is None:
            raise _ValidationError(f"No active Lifecycle Action found with instance ID {instance_id}")
        action = _waiting.pop(key)
        activity = action["activity"]
        activity.update({
            "StatusCode": "Successful",
            "Progress": 100,
            "EndTime": _now(),
            "Details": _json.dumps({"Lifecycle hook": hook, "Lifecycle action result": result}),
        })
        backend.terminate_instance(key[3], action["decrement"])
        return _ActionResult({})

    def _describe_scaling_activities(self):
        group = self._get_param("AutoScalingGroupName")
        ids = self._get_param("ActivityIds", [])
        listed = [a for k, history in _activities.items() if k[:2] == (self.current_account, self.region) and (not group or k[2] == group) for a in history]
        return _ActionResult({"Activities": [a for a in listed if not ids or a["ActivityId"] in ids]})

    _AutoScalingResponse.terminate_instance_in_auto_scaling_group = _terminate_waits_on_the_hook
    _AutoScalingResponse.complete_lifecycle_action = _complete_lifecycle_action
    _AutoScalingResponse.describe_scaling_activities = _describe_scaling_activities
except Exception:  # another moto: leave it as it is
    pass

# moto 5.2.1 keeps the UserData of a launch template version made by CreateLaunchTemplateVersion
# as the plain string it received (moto/ec2/responses/launch_templates.py,
# create_launch_template_version, does not parse_user_data as create_launch_template does), and
# then asserts it is a Base64EncodedString when an auto-scaling group launches from that version
# (moto/ec2/models/launch_templates.py, LaunchTemplateVersion.user_data): after a template change
# every scale-out, replacement or instance refresh of the group answered 500. AWS takes the same
# base64 UserData in both calls (CreateLaunchTemplateVersion, RequestLaunchTemplateData.UserData).
try:
    from moto.ec2.models.launch_templates import LaunchTemplate as _LaunchTemplate
    from moto.ec2.utils import parse_user_data as _parse_user_data

    _create_version = _LaunchTemplate.create_version

    def _version_with_parsed_user_data(self, data, *args, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("UserData"), (str, bytes)):
            data = {**data, "UserData": _parse_user_data(data["UserData"])}
        return _create_version(self, data, *args, **kwargs)

    _LaunchTemplate.create_version = _version_with_parsed_user_data
except Exception:  # another moto: leave it as it is
    pass

# moto 5.2.1 applies a Route 53 change at once and says so (ChangeInfo Status INSYNC in the answers
# of CreateHostedZone, ChangeResourceRecordSets, DeleteHostedZone and the VPC (dis)associations,
# moto/route53/responses.py). The Terraform AWS provider waits for every change it gets back
# before its first GetChange poll whatever its status (internal/service/route53/wait.go,
# waitChangeInsync: a random 10-30 s Delay, then 15 s polls), which on AWS covers the minute a
# change takes to reach Route 53's servers; it waits only "if output.ChangeInfo != nil"
# (zone.go resourceZoneCreate/resourceZoneDelete, record.go resourceRecordCreate/Delete). An
# emulator's change is in sync when it is made, so here an INSYNC change is left out of the
# answer: the provider has nothing to wait for, and a deploy or destroy of a cluster (a zone, then
# its record; the record, then its zone) no longer sleeps 20-60 s. GetChange still answers INSYNC.
try:
    from moto.core.responses import ActionResult as _ActionResultForChanges
    from moto.route53.responses import Route53 as _Route53Changes

    def _without_insync_change(method):
        def answer(self, *args, **kwargs):
            result = method(self, *args, **kwargs)
            body = result.result if isinstance(result, _ActionResultForChanges) else None
            if isinstance(body, dict) and (body.get("ChangeInfo") or {}).get("Status") == "INSYNC":
                del body["ChangeInfo"]
            return result

        return answer

    for _name in ("create_hosted_zone", "change_resource_record_sets", "delete_hosted_zone",
                  "associate_vpc_with_hosted_zone", "disassociate_vpc_from_hosted_zone"):
        setattr(_Route53Changes, _name, _without_insync_change(getattr(_Route53Changes, _name)))
except Exception:  # another moto: leave it as it is
    pass

# moto 5.2.1 copies CreateLaunchTemplate's TagSpecifications (the template's own tags, resource
# type launch-template) into the first version's LaunchTemplateData.TagSpecifications
# (moto/ec2/responses/launch_templates.py, create_launch_template). AWS keeps them on the template:
# a version's TagSpecifications name the resources launched from it, and "launch-template" is not
# one of them (EC2 API reference, LaunchTemplateTagSpecificationRequest: instance, volume,
# network-interface, spot-instances-request). So the Terraform provider read a tag_specifications
# block nobody wrote, the first plan after every creation changed the template, and every deploy
# of a cluster took a second apply to converge. Here the version keeps only what it was given.
try:
    from moto.ec2.responses.launch_templates import LaunchTemplates as _LaunchTemplates

    _create_launch_template = _LaunchTemplates.create_launch_template

    def _template_tags_stay_on_the_template(self):
        result = _create_launch_template(self)
        template = self.ec2_backend.get_launch_template_by_name(self._get_param("LaunchTemplateName"))
        for version in template.versions:
            specs = version.data.get("TagSpecifications")
            if specs:
                kept = [s for s in specs if s.get("ResourceType") != "launch-template"]
                if kept:
                    version.data["TagSpecifications"] = kept
                else:
                    del version.data["TagSpecifications"]
        return result

    _LaunchTemplates.create_launch_template = _template_tags_stay_on_the_template
except Exception:  # another moto: leave it as it is
    pass

# The emulator must not outlive the process that started it (cli/aws-emulator.ts passes its pid).
# That process kills it on every exit it can see, but a SIGKILL (a `timeout`, an out-of-memory
# kill, a Jest worker killed) runs no handler: the orphaned moto_server then kept its port and its
# memory, and every file descriptor it inherited (the lock the test suites take with flock(1),
# held by it for good). Here the emulator checks twice a second that its parent is still the
# process that started it, and exits when it is not.
try:
    import os as _os
    import threading as _threading
    import time as _time

    _owner = int(_os.environ.get("KUBEPLANE_EMULATOR_OWNER_PID") or 0)

    def _exit_when_the_owner_is_gone():
        while _os.getppid() == _owner:
            _time.sleep(0.5)
        _os._exit(0)

    if _owner > 0 and _os.getppid() == _owner:
        _threading.Thread(target=_exit_when_the_owner_is_gone, name="kubeplane-owner-watch", daemon=True).start()
except Exception:  # no threads, or no owner to watch: leave it as it is
    pass

# moto 5.2.1 stores an instance profile's tags (CreateInstanceProfile's Tags, TagInstanceProfile)
# but has no ListInstanceProfileTags: it answers 500 ("The list_instance_profile_tags action has
# not been implemented", moto/core/responses.py call_action), so the orphan search of every audit
# (providers/aws/tagged-resources.ts reads the tags of the kubeplane-* instance profiles) failed.
# AWS answers Tags, IsTruncated and, when truncated, Marker (IAM API reference,
# ListInstanceProfileTags; MaxItems 1-1000, default 100), and NoSuchEntity for an unknown profile.
try:
    from moto.iam.responses import IamResponse as _IamResponse

    def _list_instance_profile_tags(self):
        profile = self.backend.get_instance_profile(profile_name=self._get_param("InstanceProfileName"))
        start = int(self._get_param("Marker") or 0)
        size = int(self._get_param("MaxItems") or 100)
        tags = profile.tags[start:start + size]
        more = start + size < len(profile.tags)
        return _ActionResult({"Tags": tags, "IsTruncated": more, **({"Marker": str(start + size)} if more else {})})

    if not hasattr(_IamResponse, "list_instance_profile_tags"):
        _IamResponse.list_instance_profile_tags = _list_instance_profile_tags
except Exception:  # another moto: leave it as it is
    pass

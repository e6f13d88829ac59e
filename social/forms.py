"""Forms of the friends pages and of watch together."""

from django import forms
from django.contrib.auth import get_user_model

from ratings.models import HALF_STARS
from recommender.forms import RecommendationFilterForm
from recommender.groups import DEFAULT_STRATEGY, MAX_GROUP, STRATEGIES
from social.models import Privacy


class PrivacyForm(forms.ModelForm):
    class Meta:
        model = Privacy
        fields = ["ratings_audience"]
        widgets = {"ratings_audience": forms.RadioSelect}


class FollowForm(forms.Form):
    username = forms.CharField(max_length=150, label="Follow a member by username")

    def __init__(self, *args, follower, **kwargs):
        super().__init__(*args, **kwargs)
        self.follower = follower

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        member = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
        if member is None:
            raise forms.ValidationError("No member has that username.")
        if member == self.follower:
            raise forms.ValidationError("That is you.")
        return member


class StartGroupForm(forms.Form):
    friends = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Who is watching with you?",
        error_messages={"required": "Pick at least one friend."},
    )

    def __init__(self, *args, friends, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["friends"].queryset = friends
        self.fields["friends"].label_from_instance = lambda user: user.username

    def clean_friends(self):
        picked = self.cleaned_data["friends"]
        if len(picked) > MAX_GROUP - 1:
            raise forms.ValidationError(f"A group is at most {MAX_GROUP} people, you included.")
        return picked


class GroupFilterForm(RecommendationFilterForm):
    """For you's filters, with the group's strategy in place of the order."""

    strategy = forms.ChoiceField(
        choices=list(STRATEGIES.items()),
        required=False,
        initial=DEFAULT_STRATEGY,
        label="Pick films that are",
        widget=forms.RadioSelect,
    )
    NOT_FILTERS = RecommendationFilterForm.NOT_FILTERS | {"strategy"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["sort"]

    def chosen_strategy(self):
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("strategy") or DEFAULT_STRATEGY
        return DEFAULT_STRATEGY


STAR_CHOICES = [("", "Not seen")] + [(f"{stars:g}", f"★{stars:g}") for stars in HALF_STARS]


class GuestForm(forms.Form):
    """A guest's name and their ratings of a few well-known films (one field a film)."""

    name = forms.CharField(max_length=40, label="Guest's name")

    def __init__(self, *args, movies, **kwargs):
        super().__init__(*args, **kwargs)
        self.movies = movies
        for movie in movies:
            self.fields[f"film_{movie.pk}"] = forms.TypedChoiceField(
                choices=STAR_CHOICES,
                coerce=float,
                empty_value=None,
                required=False,
                label=str(movie),
            )

    def film_fields(self):
        return [(movie, self[f"film_{movie.pk}"]) for movie in self.movies]

    def ratings(self):
        return {
            str(movie.pk): self.cleaned_data[f"film_{movie.pk}"]
            for movie in self.movies
            if self.cleaned_data.get(f"film_{movie.pk}") is not None
        }

    def clean(self):
        data = super().clean()
        if not self.errors and not self.ratings():
            raise forms.ValidationError("Rate at least one film the guest has seen.")
        return data

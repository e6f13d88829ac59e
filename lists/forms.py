"""Forms of members' lists."""

from django import forms

from lists.models import FilmList


class FilmListForm(forms.ModelForm):
    class Meta:
        model = FilmList
        fields = ["title", "description", "is_public"]
        labels = {"is_public": "Public: anyone with the address can read it"}
        help_texts = {"is_public": ""}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the list a title.", code="blank")
        return title


class AddToListForm(forms.Form):
    """Add a film to one of the member's lists, or to a new list named here."""

    film_list = forms.TypedChoiceField(label="List", coerce=int, required=False)
    new_title = forms.CharField(label="Or a new list", max_length=100, required=False)

    def __init__(self, *args, lists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["film_list"].choices = [("", "Choose a list")] + [
            (film_list.pk, film_list.title) for film_list in lists
        ]

    def clean(self):
        data = super().clean()
        data["new_title"] = data.get("new_title", "").strip()
        if not data.get("film_list") and not data["new_title"]:
            raise forms.ValidationError("Choose a list or name a new one.", code="no_list")
        return data


class ListImportForm(forms.Form):
    file = forms.FileField(
        label="A list as CSV",
        help_text="Letterboxd's list export, or any CSV with a film per row "
        "(Name and Year, or imdbID, tmdbID or movieId), up to 5 MB.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )
    is_public = forms.BooleanField(label="Make the new list public", required=False)
